//! Reading a vassal file's `[emperor]` section the way uWSGI 2.0 reads ini
//! files (`core/ini.c`): lines split on `\n`, spaces, tabs and CRs trimmed at
//! both ends, `;` and `#` lines are comments, `[name]` opens a section (its last
//! character dropped, whatever it is), a key ends at the first `=`, keys may
//! repeat and keep their order; no quotes, inline comments or continuations.
//! `.json` vassals carry the same attributes as an `"emperor"` object whose
//! values are strings or lists of strings.

/// The section holding the wrapper's attributes.
pub const SECTION: &str = "emperor";

/// `key = value` pairs of `section`, in file order.
pub fn section_entries(text: &str, section: &str) -> Vec<(String, String)> {
    let trim = |s: &str| s.trim_matches([' ', '\t', '\r']).to_string();
    let mut current = String::new();
    let mut entries = Vec::new();
    for line in text.split('\n').map(trim) {
        if line.is_empty() || line.starts_with(';') || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[') {
            let mut name = name.to_string();
            name.pop();
            current = name;
            continue;
        }
        if current != section {
            continue;
        }
        if let Some((key, value)) = line.split_once('=') {
            entries.push((trim(key), trim(value)));
        }
    }
    entries
}

/// The `"emperor"` object of a JSON vassal as pairs (lists become repeated keys).
pub fn json_entries(text: &str, section: &str) -> Result<Vec<(String, String)>, String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let Some(object) = value.get(section) else {
        return Ok(Vec::new());
    };
    let object = object
        .as_object()
        .ok_or_else(|| format!("\"{section}\" is not an object"))?;
    let mut entries = Vec::new();
    for (key, value) in object {
        let values = match value {
            serde_json::Value::Array(items) => items.clone(),
            other => vec![other.clone()],
        };
        for item in values {
            let text = match item {
                serde_json::Value::String(s) => s,
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                _ => return Err(format!("\"{key}\": expected a string, number or boolean")),
            };
            entries.push((key.clone(), text));
        }
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn test_section_entries_like_uwsgi() {
        let text = "; comment\n[uwsgi]\ndocker-image = wrong\n[emperor]\r\n\
                    \t docker-image = app = v2 \r\n# docker-memory = 1\n; x = y\n\
                    docker-port=80:8080\nno equals sign\ndocker-port = 81:8081\n\
                    empty =\n[emperor-x]\ndocker-image = other\n[emperor]\ndocker-dns = 1.1.1.1\n";
        assert_eq!(
            section_entries(text, SECTION),
            pairs(&[
                ("docker-image", "app = v2"),
                ("docker-port", "80:8080"),
                ("docker-port", "81:8081"),
                ("empty", ""),
                ("docker-dns", "1.1.1.1"),
            ])
        );
    }

    #[test]
    fn test_section_entries_last_char_of_header_dropped() {
        // uWSGI drops the last character whatever it is: `[emperor ]` is "emperor ".
        assert!(section_entries("[emperor ]\na=b\n", SECTION).is_empty());
        assert_eq!(section_entries("[emperor]]\na=b\n", "emperor]").len(), 1);
    }

    #[test]
    fn test_json_entries() {
        let text = r#"{"uwsgi": {"master": true}, "emperor": {"docker-image": "app",
            "docker-port": ["80:8080", "81:8081"], "docker-memory": 67108864, "docker-init": true}}"#;
        assert_eq!(
            json_entries(text, SECTION).unwrap(),
            pairs(&[
                ("docker-image", "app"),
                ("docker-init", "true"),
                ("docker-memory", "67108864"),
                ("docker-port", "80:8080"),
                ("docker-port", "81:8081"),
            ])
        );
        assert!(json_entries(r#"{"uwsgi": {}}"#, SECTION)
            .unwrap()
            .is_empty());
        assert!(json_entries(r#"{"emperor": {"docker-env": {}}}"#, SECTION).is_err());
        assert!(json_entries("{", SECTION).is_err());
    }
}
