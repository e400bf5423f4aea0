//! Drawing a cycle as Graphviz DOT or Mermaid.

use std::fmt::Write as _;

use crate::definition::{SYSTEM_ROLE, StateKind};
use crate::graph::Cycle;
use crate::i18n::Lang;

fn escape_dot(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn escape_mermaid(s: &str) -> String {
    s.replace('"', "#quot;")
}

/// A Mermaid node id: `s_` and the state id with anything but letters, digits and `_`
/// replaced, so that ids such as `end` cannot clash with Mermaid keywords.
fn mermaid_id(id: &str) -> String {
    let safe: String = id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("s_{safe}")
}

fn is_timeout(roles: &[crate::ids::RoleId]) -> bool {
    roles.iter().any(|r| r.as_str() == SYSTEM_ROLE)
}

fn deadline_text(cycle: &Cycle, id: &crate::ids::StateId, lang: Lang) -> Option<String> {
    use crate::definition::Anchor;
    let d = cycle.state(id)?.deadline.as_ref()?;
    let amount = d.amount.describe(lang);
    let anchor = match (&d.since, d.from, lang) {
        (Some(s), _, Lang::Vi) => format!("từ khi vào `{s}`"),
        (Some(s), _, Lang::En) => format!("since entering `{s}`"),
        (None, Anchor::Entered, Lang::Vi) => String::new(),
        (None, Anchor::Entered, Lang::En) => String::new(),
        (None, Anchor::CaseOpened, Lang::Vi) => "từ ngày mở hồ sơ".into(),
        (None, Anchor::CaseOpened, Lang::En) => "from the case's opening".into(),
        (None, Anchor::CertificateIssued, Lang::Vi) => "từ ngày cấp giấy chứng nhận".into(),
        (None, Anchor::CertificateIssued, Lang::En) => "from the certificate's issue".into(),
        (None, Anchor::CertificateExpiry, Lang::Vi) => "ngày hết hạn giấy chứng nhận".into(),
        (None, Anchor::CertificateExpiry, Lang::En) => "the certificate's expiry".into(),
        (None, Anchor::Conclusion, Lang::Vi) => "từ ngày có kết luận".into(),
        (None, Anchor::Conclusion, Lang::En) => "from the conclusion".into(),
        (None, Anchor::RoundDecision, Lang::Vi) => "hạn quyết định của đợt".into(),
        (None, Anchor::RoundDecision, Lang::En) => "the round's decision date".into(),
    };
    Some(match (amount, lang) {
        (Some(a), Lang::Vi) => format!("hạn {a} {anchor}").trim_end().to_owned(),
        (Some(a), Lang::En) => format!("due in {a} {anchor}").trim_end().to_owned(),
        (None, Lang::Vi) => format!("hạn: {anchor}"),
        (None, Lang::En) => format!("due: {anchor}"),
    })
}

/// The cycle as a Graphviz DOT digraph, labelled in `lang`. Timeout transitions are dashed;
/// terminal states are double circles, the initial state bold.
pub fn to_dot(cycle: &Cycle, lang: Lang) -> String {
    let def = cycle.definition();
    let mut out = String::new();
    let _ = writeln!(out, "digraph \"{}\" {{", escape_dot(def.id.as_str()));
    let _ = writeln!(
        out,
        "  label=\"{} ({})\";\n  labelloc=t;\n  rankdir=TB;\n  node [fontname=\"DejaVu Sans\", fontsize=11];\n  edge [fontname=\"DejaVu Sans\", fontsize=9];",
        escape_dot(def.label.get(lang)),
        escape_dot(&def.version)
    );
    for s in cycle.states() {
        let shape = match s.kind {
            StateKind::Terminal => "box, peripheries=2, style=rounded",
            StateKind::Evaluation => "box3d",
            StateKind::Decision => "diamond",
            StateKind::Certified | StateKind::Monitoring => "component",
            StateKind::Intake | StateKind::Review => "box",
        };
        let mut label = s.label.get(lang).to_owned();
        if let Some(d) = deadline_text(cycle, &s.id, lang) {
            label.push_str(&format!("\\n({d})"));
        }
        let style = if s.id == def.initial {
            ", penwidth=2.5"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  \"{}\" [label=\"{}\", shape={shape}{style}];",
            escape_dot(s.id.as_str()),
            escape_dot(&label).replace("\\\\n", "\\n")
        );
    }
    for t in cycle.transitions() {
        let style = if is_timeout(&t.roles) {
            ", style=dashed"
        } else {
            ""
        };
        for from in &t.from {
            let _ = writeln!(
                out,
                "  \"{}\" -> \"{}\" [label=\"{}\"{style}];",
                escape_dot(from.as_str()),
                escape_dot(t.to.as_str()),
                escape_dot(t.label.get(lang))
            );
        }
    }
    out.push_str("}\n");
    out
}

/// The cycle as a Mermaid flowchart, labelled in `lang`. Timeout transitions are dotted.
pub fn to_mermaid(cycle: &Cycle, lang: Lang) -> String {
    let def = cycle.definition();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "---\ntitle: \"{}\"\n---",
        escape_mermaid(def.label.get(lang))
    );
    out.push_str("flowchart TD\n");
    for s in cycle.states() {
        let mut label = escape_mermaid(s.label.get(lang));
        if let Some(d) = deadline_text(cycle, &s.id, lang) {
            label.push_str(&format!("<br/>({})", escape_mermaid(&d)));
        }
        let (open, close) = match s.kind {
            StateKind::Terminal => ("((", "))"),
            StateKind::Decision => ("{", "}"),
            StateKind::Evaluation => ("[[", "]]"),
            StateKind::Certified | StateKind::Monitoring => ("([", "])"),
            StateKind::Intake | StateKind::Review => ("[", "]"),
        };
        let _ = writeln!(
            out,
            "    {}{open}\"{label}\"{close}",
            mermaid_id(s.id.as_str())
        );
    }
    for t in cycle.transitions() {
        let arrow = if is_timeout(&t.roles) { "-.->" } else { "-->" };
        for from in &t.from {
            let _ = writeln!(
                out,
                "    {} {arrow}|\"{}\"| {}",
                mermaid_id(from.as_str()),
                escape_mermaid(t.label.get(lang)),
                mermaid_id(t.to.as_str())
            );
        }
    }
    out
}
