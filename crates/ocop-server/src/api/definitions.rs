//! `/definitions`: the validated definitions and their graphs; `/plugins`: the criteria
//! sheets and score previews of the loaded scoring plugins.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use ocop_core::{
    Date, Definition, ProductSet,
    domain::AnswerSheet,
    plugin::{Scored, Scorer},
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::blocking;
use super::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use super::output::{GraphOutput, Reply};
use super::problem::Problem;
use crate::auth::Principal;
use crate::catalogue::LoadedPlugin;
use crate::state::AppState;

/// A definition at a glance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub(crate) struct DefinitionSummary {
    /// The definition's id.
    pub id: String,
    /// Its version.
    pub version: String,
    /// Its name, in the caller's language.
    pub label: String,
    /// The legal basis.
    pub legal_basis: String,
    /// The first day cases may open under it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_force_from: Option<Date>,
    /// The state cases open in.
    pub initial: String,
    /// How many states and transitions it has.
    pub states: usize,
    /// How many transitions it has.
    pub transitions: usize,
    /// The plugins it pins (id and sha256).
    pub plugins: Vec<PluginPin>,
}

/// A plugin a definition pins.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub(crate) struct PluginPin {
    /// The plugin's id in the definition.
    pub id: String,
    /// The sha256 it is pinned to.
    pub sha256: String,
}

/// `GET /api/v1/definitions`.
pub(crate) async fn list(Caller { state, lang, .. }: Caller) -> Reply<Vec<DefinitionSummary>> {
    Reply::ok(
        state
            .catalogue
            .definitions
            .values()
            .map(|d| {
                let def = d.cycle.definition();
                DefinitionSummary {
                    id: def.id.to_string(),
                    version: def.version.clone(),
                    label: def.label.get(lang).to_owned(),
                    legal_basis: def.legal_basis.clone(),
                    in_force_from: def.in_force_from,
                    initial: def.initial.to_string(),
                    states: def.states.len(),
                    transitions: def.transitions.len(),
                    plugins: def
                        .plugins
                        .iter()
                        .map(|p| PluginPin {
                            id: p.id.to_string(),
                            sha256: p.sha256.clone(),
                        })
                        .collect(),
                }
            })
            .collect(),
    )
}

/// Path of a definition.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub(crate) struct DefinitionPath {
    /// The definition's id, e.g. `national-2026`.
    pub(crate) id: String,
}

/// Path of a plugin.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub(crate) struct PluginPath {
    /// The plugin's id, e.g. `criteria-26-2026`.
    pub(crate) plugin: String,
}

fn definition<'a>(state: &'a AppState, id: &str) -> Result<&'a ocop_core::Cycle, Problem> {
    state
        .catalogue
        .definitions
        .get(id)
        .map(|d| &d.cycle)
        .ok_or_else(|| {
            let known: Vec<&str> = state
                .catalogue
                .definitions
                .keys()
                .map(String::as_str)
                .collect();
            Problem::not_found(format!(
                "there is no definition `{id}`; this server runs {}",
                known.join(", ")
            ))
        })
}

/// `GET /api/v1/definitions/{id}`: the definition as validated.
pub(crate) async fn get(
    Caller { state, lang, .. }: Caller,
    ApiPath(DefinitionPath { id }): ApiPath<DefinitionPath>,
) -> Result<Reply<Definition>, Problem> {
    definition(&state, &id)
        .map(|c| Reply::ok(c.definition().clone()))
        .map_err(|p| p.in_lang(lang))
}

/// How to draw a graph.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum GraphFormat {
    /// Graphviz DOT.
    #[default]
    Dot,
    /// A Mermaid flowchart.
    Mermaid,
    /// SVG, laid out by the server.
    Svg,
}

/// Query of the graph route.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GraphQuery {
    /// `dot` (default), `mermaid` or `svg`.
    #[serde(default)]
    pub format: GraphFormat,
}

/// `GET /api/v1/definitions/{id}/graph`.
pub(crate) async fn graph(
    Caller { state, lang, .. }: Caller,
    ApiPath(DefinitionPath { id }): ApiPath<DefinitionPath>,
    ApiQuery(q): ApiQuery<GraphQuery>,
) -> Result<GraphOutput, Problem> {
    let cycle = definition(&state, &id).map_err(|p| p.in_lang(lang))?;
    let (ty, body) = match q.format {
        GraphFormat::Dot => (
            "text/vnd.graphviz; charset=utf-8",
            ocop_core::cycle::to_dot(cycle, lang),
        ),
        GraphFormat::Mermaid => (
            "text/vnd.mermaid; charset=utf-8",
            ocop_core::cycle::to_mermaid(cycle, lang),
        ),
        GraphFormat::Svg => {
            let dot = ocop_core::cycle::to_dot(cycle, lang);
            let svg = blocking(move || crate::svg::render(&dot)).await?.map_err(|e| {
                tracing::error!(target: "ocop_server::graph", error = %e, "graph layout failed");
                Problem::internal()
            })?;
            ("image/svg+xml", svg)
        }
    };
    Ok(GraphOutput(
        ([(header::CONTENT_TYPE, ty)], body).into_response(),
    ))
}

/// A loaded scoring or guard plugin.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub(crate) struct PluginSummary {
    /// Its id in the definitions.
    pub id: String,
    /// `scoring` or `guard`.
    pub kind: String,
    /// The sha256 of its component, as pinned.
    pub sha256: String,
    /// Its name, version and legal basis, as it describes itself.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Its legal basis.
    pub legal_basis: String,
    /// The product sets it scores (scoring plugins).
    pub product_sets: Vec<u8>,
}

/// `GET /api/v1/plugins`.
pub(crate) async fn plugins(
    State(state): State<AppState>,
    _: Principal,
) -> Reply<Vec<PluginSummary>> {
    Reply::ok(
        state
            .catalogue
            .plugins
            .iter()
            .map(|(id, (p, sha))| {
                let (kind, info) = match p {
                    LoadedPlugin::Scoring(s) => ("scoring", s.info().clone()),
                    LoadedPlugin::Guard(g) => (
                        "guard",
                        ocop_core::plugin::GuardPlugin::info(g.as_ref()).clone(),
                    ),
                };
                PluginSummary {
                    id: id.clone(),
                    kind: kind.into(),
                    sha256: sha.clone(),
                    name: info.name,
                    version: info.version,
                    legal_basis: info.legal_basis,
                    product_sets: info.product_sets.iter().map(|s| s.number()).collect(),
                }
            })
            .collect(),
    )
}

fn scorer(
    state: &AppState,
    id: &str,
) -> Result<std::sync::Arc<ocop_plugin_host::WasmScorer>, Problem> {
    state.catalogue.scorer(id).ok_or_else(|| {
        Problem::not_found(format!(
            "there is no scoring plugin `{id}`; see /api/v1/plugins"
        ))
    })
}

fn product_set(n: u8) -> Result<ProductSet, Problem> {
    ProductSet::new(n).ok_or_else(|| {
        Problem::not_found(format!(
            "there is no product set {n}; sets are numbered 1 to 26"
        ))
    })
}

/// Path of a criteria sheet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub(crate) struct CriteriaPath {
    /// The scoring plugin.
    pub plugin: String,
    /// The product set, 1 to 26.
    pub set: u8,
}

/// `GET /api/v1/plugins/{plugin}/criteria/{set}`: the criteria sheet of a product set.
pub(crate) async fn criteria(
    Caller { state, lang, .. }: Caller,
    ApiPath(path): ApiPath<CriteriaPath>,
) -> Result<Reply<ocop_core::plugin::CriteriaSheet>, Problem> {
    criteria_sheet(&state, &path, lang).await.map(Reply::ok)
}

/// The criteria sheet of `path`: its plugin's sheet for its product set.
async fn criteria_sheet(
    state: &AppState,
    path: &CriteriaPath,
    lang: ocop_core::Lang,
) -> Result<ocop_core::plugin::CriteriaSheet, Problem> {
    let scorer = scorer(state, &path.plugin).map_err(|p| p.in_lang(lang))?;
    let set = product_set(path.set).map_err(|p| p.in_lang(lang))?;
    let sheet = blocking(move || scorer.criteria(set)).await?;
    sheet.map_err(|e| Problem::plugin(&e).in_lang(lang))
}

/// Query of the template route.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TemplateQuery {
    /// For sheets with alternative branches (set 26): the branch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<u8>,
}

/// `GET /api/v1/plugins/{plugin}/criteria/{set}/template`: a blank answer sheet.
pub(crate) async fn template(
    Caller { state, lang, .. }: Caller,
    ApiPath(path): ApiPath<CriteriaPath>,
    ApiQuery(q): ApiQuery<TemplateQuery>,
) -> Result<Reply<AnswerSheet>, Problem> {
    criteria_sheet(&state, &path, lang)
        .await
        .map(|s| Reply::ok(s.template(q.branch)))
}

/// `POST /api/v1/plugins/{plugin}/score`: scores an answer sheet without storing anything.
pub(crate) async fn score(
    Caller { state, lang, .. }: Caller,
    ApiPath(PluginPath { plugin }): ApiPath<PluginPath>,
    ApiJson(sheet): ApiJson<AnswerSheet>,
) -> Result<Reply<Scored>, Problem> {
    let scorer = scorer(&state, &plugin).map_err(|p| p.in_lang(lang))?;
    let scored = blocking(move || scorer.score(&sheet)).await?;
    scored
        .map(Reply::ok)
        .map_err(|e| Problem::plugin(&e).in_lang(lang))
}
