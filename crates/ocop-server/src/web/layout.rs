//! The page shell: head, the header with its navigation, the signed-in person, the
//! language switch and sign-out, the one-time message, and error pages.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};
use ocop_core::Lang;

use super::i18n::tr;
use super::session::{Flash, Viewer, encode_query};
use crate::state::AppState;

/// Which item of the navigation is the current page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Nav {
    Work,
    All,
    Dashboard,
    New,
    None,
}

/// A whole page for a signed-in person.
pub(crate) struct Page<'a> {
    pub(crate) state: &'a AppState,
    pub(crate) viewer: &'a Viewer,
    pub(crate) title: String,
    pub(crate) nav: Nav,
    /// The page's path and query, for the language switch to come back to.
    pub(crate) here: String,
    pub(crate) body: Markup,
    /// Extra scripts of this page (asset file names).
    pub(crate) scripts: &'a [&'a str],
}

fn head(lang: Lang, title: &str, scripts: &[&str]) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " · OCOP" }
            link rel="stylesheet" href=(super::assets::url("app.css"));
            link rel="icon" href=(super::assets::url("icon.svg")) type="image/svg+xml";
            script src=(super::assets::url("app.js")) defer {}
            @for s in scripts {
                script src=(super::assets::url(s)) defer {}
            }
            meta name="ocop-lang" content=(lang.to_string());
        }
    }
}

/// Whether `viewer` may open cases under some definition (holds a role of an initial
/// transition).
pub(crate) fn may_open(state: &AppState, viewer: &Viewer) -> bool {
    state.catalogue.definitions.values().any(|d| {
        let c = &d.cycle;
        c.outgoing(&c.definition().initial)
            .iter()
            .any(|t| t.roles.iter().any(|r| viewer.principal.roles.contains(r)))
    })
}

/// A role's name from the definitions, or its id.
pub(crate) fn role_label(state: &AppState, role: &str, lang: Lang) -> String {
    state
        .catalogue
        .definitions
        .values()
        .flat_map(|d| d.cycle.definition().roles.iter())
        .find(|r| r.id.as_str() == role)
        .map_or_else(|| role.to_owned(), |r| r.label.get(lang).to_owned())
}

impl Page<'_> {
    /// Renders the page (200).
    pub(crate) fn render(self) -> Response {
        let lang = self.viewer.lang;
        let flash = self.state.web.sessions.take_flash(&self.viewer.session);
        let province = self
            .state
            .provinces
            .get(&self.viewer.principal.province)
            .map_or_else(String::new, |p| p.config.name.clone());
        let other = match lang {
            Lang::Vi => ("en", "English"),
            Lang::En => ("vi", "Tiếng Việt"),
        };
        let nav = |n: Nav| if n == self.nav { Some("page") } else { None };
        let markup = html! {
            (DOCTYPE)
            html lang=(lang.to_string()) {
                (head(lang, &self.title, self.scripts))
                body {
                    a.skip href="#main" { (tr(lang, "Bỏ qua, đến nội dung chính", "Skip to the main content")) }
                    header.top {
                        div.brand {
                            a href="/work" { span.mark { "OCOP" } " " (province) }
                        }
                        nav aria-label=(tr(lang, "Điều hướng chính", "Main navigation")) {
                            ul {
                                li { a href="/work" aria-current=[nav(Nav::Work)] { (tr(lang, "Việc của tôi", "My work")) } }
                                li { a href="/work?scope=all" aria-current=[nav(Nav::All)] { (tr(lang, "Tất cả hồ sơ", "All cases")) } }
                                li { a href="/dashboard" aria-current=[nav(Nav::Dashboard)] { (tr(lang, "Tổng hợp chương trình", "Programme")) } }
                                @if may_open(self.state, self.viewer) {
                                    li { a href="/cases/new" aria-current=[nav(Nav::New)] { (tr(lang, "Đăng ký sản phẩm", "Register a product")) } }
                                }
                            }
                        }
                        div.who {
                            span.actor title=(self.viewer.principal.roles.iter().map(|r| role_label(self.state, r.as_str(), lang)).collect::<Vec<_>>().join(", ")) {
                                (self.viewer.principal.actor)
                            }
                            a.lang href={ "/lang/" (other.0) "?next=" (encode_query(&self.here)) } lang=(other.0) hreflang=(other.0) { (other.1) }
                            form.inline method="post" action="/logout" {
                                input type="hidden" name="csrf" value=(self.viewer.csrf);
                                button.link type="submit" { (tr(lang, "Đăng xuất", "Sign out")) }
                            }
                        }
                    }
                    main #main tabindex="-1" {
                        @if let Some(f) = flash { (flash_box(&f)) }
                        (self.body)
                    }
                    footer {
                        p {
                            (tr(lang, "Hệ thống quản lý chu trình OCOP", "OCOP cycle management"))
                            " · " a href="/docs" { "API" }
                        }
                    }
                }
            }
        };
        html_response(StatusCode::OK, markup.into_string())
    }
}

fn flash_box(f: &Flash) -> Markup {
    html! {
        div class=(if f.ok { "flash ok" } else { "flash err" }) role=(if f.ok { "status" } else { "alert" }) {
            p { (f.text) }
        }
    }
}

/// An HTML answer.
pub(crate) fn html_response(status: StatusCode, body: String) -> Response {
    let mut res = (status, body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    res
}

/// A page without the navigation (sign-in, errors before sign-in).
pub(crate) fn bare_page(lang: Lang, status: StatusCode, title: &str, body: Markup) -> Response {
    let markup = html! {
        (DOCTYPE)
        html lang=(lang.to_string()) {
            (head(lang, title, &[]))
            body.bare {
                header.top {
                    div.brand { a href="/work" { span.mark { "OCOP" } } }
                }
                main #main tabindex="-1" { (body) }
            }
        }
    };
    html_response(status, markup.into_string())
}

/// An error page saying `message`.
pub(crate) fn error_page(lang: Lang, status: StatusCode, message: &str) -> Response {
    let title = match status {
        StatusCode::FORBIDDEN => tr(lang, "Không được phép", "Not allowed"),
        StatusCode::NOT_FOUND => tr(lang, "Không tìm thấy", "Not found"),
        StatusCode::TOO_MANY_REQUESTS => tr(lang, "Quá nhiều yêu cầu", "Too many requests"),
        s if s.is_server_error() => tr(lang, "Lỗi máy chủ", "Server error"),
        _ => tr(lang, "Không thực hiện được", "Cannot be done"),
    };
    bare_page(
        lang,
        status,
        title,
        html! {
            h1 { (title) }
            div.flash.err role="alert" { p { (message) } }
            p { a href="/work" { (tr(lang, "Về trang việc của tôi", "Back to my work")) } }
        },
    )
}
