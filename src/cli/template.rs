//! `--format` for `inspect`: the part of Go's text/template that scripts use
//! with `docker inspect` — `{{.Field.Sub}}`, `{{json .Field}}` and `{{.}}` —
//! with the text around them kept as is.

use serde_json::Value;

/// Renders `template` against `value`; the error names the bad action.
pub fn render(template: &str, value: &Value) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let close = after
            .find("}}")
            .ok_or_else(|| format!("template {template:?}: unclosed action"))?;
        out.push_str(&action(after[..close].trim(), value, template)?);
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

fn action(text: &str, value: &Value, template: &str) -> Result<String, String> {
    let bad = || format!("template {template:?}: unsupported action {{{{{text}}}}}");
    let (json, path) = match text.strip_prefix("json ") {
        Some(path) => (true, path.trim()),
        None => (false, text),
    };
    let path = path.strip_prefix('.').ok_or_else(bad)?;
    let mut current = value;
    for key in path.split('.').filter(|k| !k.is_empty()) {
        if !key.chars().all(|c| c.is_alphanumeric() || c == '_') {
            return Err(bad());
        }
        current = current.get(key).unwrap_or(&Value::Null);
    }
    Ok(match (json, current) {
        (true, v) => v.to_string(),
        (false, Value::String(s)) => s.clone(),
        (false, Value::Null) => "<no value>".to_string(),
        (false, v) => v.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_render_paths_json_and_errors() {
        let v = serde_json::json!({"Id": "abc", "State": {"Pid": 42, "Running": true}, "Config": {"Env": ["A=1"]}});
        assert_eq!(render("{{.Id}}", &v).unwrap(), "abc");
        assert_eq!(
            render("pid={{ .State.Pid }} {{.State.Running}}", &v).unwrap(),
            "pid=42 true"
        );
        assert_eq!(render("{{json .Config.Env}}", &v).unwrap(), "[\"A=1\"]");
        assert_eq!(render("{{.Nope}}", &v).unwrap(), "<no value>");
        assert!(render("{{.Id", &v).is_err());
        assert!(render("{{range .X}}", &v).is_err());
    }
}
