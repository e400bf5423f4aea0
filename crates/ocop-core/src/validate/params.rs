//! Guards and effects: their names, their parameters' types, and their lowering into [`cycle::Guard`] and [`cycle::Effect`].

use std::collections::BTreeMap;

use super::Validator;
use super::refs::{Refs, did_you_mean, names, quote_list};
use crate::cycle::{self};
use crate::definition::{Effect, Guard, PluginKind};
use crate::diagnostic::{Code, Diagnostic};
use crate::specs::{Args, ParamType, Spec, effect_specs, guard_specs};

impl Validator<'_> {
    pub(super) fn guard(&mut self, refs: &Refs<'_>, path: &str, g: &Guard) -> Option<cycle::Guard> {
        let Some(spec) = guard_specs().iter().find(|s| s.name == g.guard) else {
            self.push(
                Diagnostic::error(
                    Code::UnknownGuard,
                    format!("{path}.guard"),
                    format!("guard `{}` does not exist", g.guard),
                )
                .help_opt(
                    did_you_mean(&g.guard, guard_specs().iter().map(|s| s.name)).or_else(|| {
                        Some(format!(
                            "built-in guards: {}; for a local rule use `guard = \"plugin\"`",
                            names(guard_specs())
                        ))
                    }),
                ),
            );
            return None;
        };
        if spec.name == "plugin"
            && let Some(serde_json::Value::String(p)) = g.params.get("plugin")
            && let Some(decl) = self.def.plugins.iter().find(|d| d.id.as_str() == p)
            && decl.kind != PluginKind::Guard
        {
            self.push(
                Diagnostic::error(
                    Code::PluginKind,
                    format!("{path}.plugin"),
                    format!("plugin `{p}` is a scoring plugin, not a guard plugin"),
                )
                .help("declare it with `kind = \"guard\"` or use a guard plugin"),
            );
        }
        self.lower(refs, path, "guard", spec, &g.params, Code::GuardParameter)
    }

    pub(super) fn effect(
        &mut self,
        refs: &Refs<'_>,
        path: &str,
        e: &Effect,
    ) -> Option<cycle::Effect> {
        let Some(spec) = effect_specs().iter().find(|s| s.name == e.effect) else {
            self.push(
                Diagnostic::error(
                    Code::UnknownEffect,
                    format!("{path}.effect"),
                    format!("effect `{}` does not exist", e.effect),
                )
                .help_opt(
                    did_you_mean(&e.effect, effect_specs().iter().map(|s| s.name))
                        .or_else(|| Some(format!("built-in effects: {}", names(effect_specs())))),
                ),
            );
            return None;
        };
        self.lower(refs, path, "effect", spec, &e.params, Code::EffectParameter)
    }

    /// Checks the parameters against the spec and, when they are right, lowers them.
    pub(super) fn lower<T>(
        &mut self,
        refs: &Refs<'_>,
        path: &str,
        what: &str,
        spec: &Spec<T>,
        params: &BTreeMap<String, serde_json::Value>,
        code: Code,
    ) -> Option<T> {
        let before = self.errors();
        for p in spec.params {
            if p.required && !params.contains_key(p.name) {
                self.push(
                    Diagnostic::error(
                        code,
                        path,
                        format!("{what} `{}` needs the parameter `{}`", spec.name, p.name),
                    )
                    .help(format!("`{}` is {}", p.name, p.ty.describe())),
                );
            }
        }
        for (key, value) in params {
            let ppath = format!("{path}.{key}");
            let Some(p) = spec.params.iter().find(|p| p.name == key) else {
                let expected = if spec.params.is_empty() {
                    "it takes no parameters".to_owned()
                } else {
                    format!(
                        "it takes {}",
                        quote_list(&spec.params.iter().map(|p| p.name).collect::<Vec<_>>())
                    )
                };
                self.push(
                    Diagnostic::error(
                        code,
                        ppath,
                        format!("{what} `{}` has no parameter `{key}`", spec.name),
                    )
                    .help_opt(
                        did_you_mean(key, spec.params.iter().map(|p| p.name)).or(Some(expected)),
                    ),
                );
                continue;
            };
            let ok = match p.ty {
                ParamType::Number => value.is_number(),
                ParamType::Count => value.as_u64().is_some_and(|n| n <= u64::from(u32::MAX)),
                ParamType::Stars => value.as_u64().is_some_and(|n| (1..=5).contains(&n)),
                ParamType::Text => value.as_str().is_some_and(|s| !s.is_empty()),
                ParamType::OneOf(words) => value.as_str().is_some_and(|s| words.contains(&s)),
                ParamType::Evaluation | ParamType::Plugin | ParamType::Role => value.is_string(),
            };
            if !ok {
                self.push(
                    Diagnostic::error(
                        code,
                        ppath.clone(),
                        format!(
                            "parameter `{key}` of {what} `{}` must be {}, not `{value}`",
                            spec.name,
                            p.ty.describe()
                        ),
                    )
                    .help_opt(match (p.ty, value.as_str()) {
                        (ParamType::OneOf(words), Some(s)) => {
                            did_you_mean(s, words.iter().copied())
                        }
                        _ => None,
                    }),
                );
                continue;
            }
            if let Some(id) = value.as_str() {
                let _known = match p.ty {
                    ParamType::Evaluation => refs.evaluation(self, &ppath, id),
                    ParamType::Plugin => refs.plugin(self, &ppath, id),
                    ParamType::Role => refs.role(self, &ppath, id),
                    _ => true,
                };
            }
        }
        if self.errors() > before {
            return None;
        }
        let lowered = (spec.lower)(&Args::new(params));
        if lowered.is_none() {
            self.push(Diagnostic::error(
                code,
                path,
                format!("the parameters of {what} `{}` could not be read", spec.name),
            ));
        }
        lowered
    }
}
