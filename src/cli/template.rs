//! `--format` templates (`inspect -f`, `ps`, `image ls`, the docker entry):
//! Go's text/template through the gotmpl crate — `{{.Field}}`, `range`, `if`,
//! `with`, `index`, `printf`, `len`, comparisons, variables — plus the
//! functions Docker's CLI adds: `json`, `join`, `split`, `lower`, `upper`,
//! `title`, `pad`, `truncate`. Values print as Go prints them (`map[k:v]`,
//! `[a b]`), and a field that does not exist is an error, as with Docker's
//! typed structures, not `<no value>` — except a missing key of one of
//! Docker's map-typed fields (`Labels`, `Networks`, …), which prints
//! `<no value>` as Go does for a map.

use std::sync::Arc;

use gotmpl::{MissingKey, Template, TemplateError, ToSerdeValue, Value};

/// Renders `template` against `value`; the error names the template.
pub fn render(template: &str, value: &serde_json::Value) -> Result<String, String> {
    parse(template)?.render(value)
}

/// A parsed `--format` template, for rendering many rows.
pub struct Format {
    text: String,
    template: Template,
    /// The same template with missing keys printing `<no value>`, when the
    /// text reaches into one of Docker's map-typed fields.
    lenient: Option<Template>,
}

/// Fields that are Go maps in Docker's inspect structures: a missing key in
/// them is `<no value>` in Docker's output, not an error. The data here is
/// untyped JSON, so the template's text tells which case it is.
const MAP_FIELDS: &[&str] = &[
    "Labels.",
    "Annotations.",
    "Options.",
    "Networks.",
    "Ports.",
    "PortBindings.",
    "ExposedPorts.",
    "Volumes.",
    "Sysctls.",
    "Data.",
    "Config.Config.",
    "StorageOpt.",
];

/// Parses `text`; the error names it, as Docker's `template parsing error`.
pub fn parse(text: &str) -> Result<Format, String> {
    let with_missing = |missing| {
        with_docker_funcs(Template::new(""))
            .missing_key(missing)
            .parse(text)
            .map_err(|e| format!("template parsing error in {text:?}: {e}"))
    };
    let template = with_missing(MissingKey::Error)?;
    let lenient = match MAP_FIELDS.iter().any(|field| text.contains(field)) {
        true => Some(with_missing(MissingKey::Invalid)?),
        false => None,
    };
    Ok(Format {
        text: text.to_string(),
        template,
        lenient,
    })
}

impl Format {
    pub fn render(&self, value: &serde_json::Value) -> Result<String, String> {
        let data = value
            .to_serde_value()
            .map_err(|e| format!("template {:?}: {e}", self.text))?;
        let result = match (self.template.execute_to_string(&data), &self.lenient) {
            (Err(TemplateError::MissingKey { .. }), Some(lenient)) => {
                lenient.execute_to_string(&data)
            }
            (result, _) => result,
        };
        result.map_err(|e| format!("template {:?}: {e}", self.text))
    }
}

/// Prints one line per row through `format`; a `table ` prefix adds a
/// header (the template rendered over `header`, the column titles) and
/// aligns the tab-separated columns, as Docker's `--format "table …"`.
pub fn print_rows(
    format: &str,
    rows: &[serde_json::Value],
    header: &serde_json::Value,
) -> Result<(), String> {
    let (table, text) = match format.strip_prefix("table") {
        Some(rest) if rest.is_empty() || rest.starts_with(char::is_whitespace) => {
            (true, rest.trim_start())
        }
        _ => (false, format),
    };
    let template = parse(text)?;
    let mut lines = Vec::with_capacity(rows.len() + 1);
    if table {
        lines.push(template.render(header)?);
    }
    for row in rows {
        lines.push(template.render(row)?);
    }
    let text = if table {
        align_tabs(&lines)
    } else {
        lines.iter().map(|l| format!("{l}\n")).collect()
    };
    use std::io::Write;
    let _ = std::io::stdout().write_all(text.as_bytes());
    Ok(())
}

/// Tab-separated cells padded to their column's widest plus three spaces
/// (Docker's tabwriter); the last cell of a line unpadded.
fn align_tabs(lines: &[String]) -> String {
    let cells: Vec<Vec<&str>> = lines.iter().map(|l| l.split('\t').collect()).collect();
    let mut widths: Vec<usize> = Vec::new();
    for row in &cells {
        for (i, cell) in row.iter().enumerate() {
            if i + 1 < row.len() {
                if widths.len() <= i {
                    widths.resize(i + 1, 0);
                }
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
    }
    let mut out = String::new();
    for row in &cells {
        for (i, cell) in row.iter().enumerate() {
            if i + 1 == row.len() {
                out.push_str(cell);
            } else {
                out.push_str(&format!("{cell:<0$}", widths[i] + 3));
            }
        }
        out.push('\n');
    }
    out
}

fn with_docker_funcs(template: Template) -> Template {
    template
        .func("json", |args| {
            Ok(string(to_json(one("json", args)?).to_string()))
        })
        .func("join", |args| {
            let [list, sep] = two("join", args)?;
            let items: Vec<String> = match list {
                Value::List(items) => items.iter().map(ToString::to_string).collect(),
                other => vec![other.to_string()],
            };
            Ok(string(items.join(&sep.to_string())))
        })
        .func("split", |args| {
            let [text, sep] = two("split", args)?;
            let parts: Vec<Value> = text
                .to_string()
                .split(&sep.to_string())
                .map(string)
                .collect();
            Ok(Value::List(Arc::from(parts)))
        })
        .func("lower", |args| {
            Ok(string(one("lower", args)?.to_string().to_lowercase()))
        })
        .func("upper", |args| {
            Ok(string(one("upper", args)?.to_string().to_uppercase()))
        })
        .func("title", |args| {
            Ok(string(title(&one("title", args)?.to_string())))
        })
        .func("pad", |args| {
            let [text, left, right] = three("pad", args)?;
            let (left, right) = (count(left), count(right));
            Ok(string(format!(
                "{}{}{}",
                " ".repeat(left),
                text,
                " ".repeat(right)
            )))
        })
        .func("truncate", |args| {
            let [text, n] = two("truncate", args)?;
            Ok(string(
                text.to_string().chars().take(count(n)).collect::<String>(),
            ))
        })
}

fn string(text: impl Into<String>) -> Value {
    Value::String(Arc::from(text.into()))
}

fn count(value: &Value) -> usize {
    match value {
        Value::Int(n) => (*n).max(0) as usize,
        Value::Uint(n) => *n as usize,
        _ => 0,
    }
}

fn arity(name: &str, args: &[Value], expected: usize) -> Result<(), TemplateError> {
    if args.len() == expected {
        return Ok(());
    }
    Err(TemplateError::ArgCount {
        name: name.to_string(),
        expected,
        got: args.len(),
    })
}

fn one<'a>(name: &str, args: &'a [Value]) -> Result<&'a Value, TemplateError> {
    arity(name, args, 1)?;
    Ok(&args[0])
}

fn two<'a>(name: &str, args: &'a [Value]) -> Result<[&'a Value; 2], TemplateError> {
    arity(name, args, 2)?;
    Ok([&args[0], &args[1]])
}

fn three<'a>(name: &str, args: &'a [Value]) -> Result<[&'a Value; 3], TemplateError> {
    arity(name, args, 3)?;
    Ok([&args[0], &args[1], &args[2]])
}

/// Go's `strings.Title`: each word's first letter upper-cased.
fn title(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at_start = true;
    for c in text.chars() {
        if at_start {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        at_start = !c.is_alphanumeric();
    }
    out
}

/// A template value back as JSON, for `json` (Go's `json.Marshal`).
fn to_json(value: &Value) -> serde_json::Value {
    use serde_json::Value as Json;
    match value {
        Value::Nil | Value::Function(_) => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(n) => Json::from(*n),
        Value::Uint(n) => Json::from(*n),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Value::String(s) => Json::String(s.to_string()),
        Value::List(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Map(map) => Json::Object(
            map.iter()
                .map(|(k, v)| (k.to_string(), to_json(v)))
                .collect(),
        ),
        #[allow(unreachable_patterns)]
        other => Json::String(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> serde_json::Value {
        serde_json::json!({
            "Id": "abc",
            "Name": "/web",
            "State": {"Pid": 42, "Running": true, "Status": "running"},
            "Config": {"Env": ["A=1", "B=2"], "Labels": {"tier": "db", "app": "x"}, "Cmd": null},
            "Mounts": [],
        })
    }

    #[test]
    fn test_fields_and_go_printing() {
        let v = data();
        assert_eq!(render("{{.Id}}", &v).unwrap(), "abc");
        assert_eq!(
            render("pid={{ .State.Pid }} {{.State.Running}}", &v).unwrap(),
            "pid=42 true"
        );
        assert_eq!(
            render("{{.Config.Labels}}", &v).unwrap(),
            "map[app:x tier:db]"
        );
        assert_eq!(render("{{.Config.Env}}", &v).unwrap(), "[A=1 B=2]");
    }

    #[test]
    fn test_functions_and_control() {
        let v = data();
        assert_eq!(
            render("{{json .Config.Env}}", &v).unwrap(),
            "[\"A=1\",\"B=2\"]"
        );
        assert_eq!(
            render("{{json .Config.Labels}}", &v).unwrap(),
            "{\"app\":\"x\",\"tier\":\"db\"}"
        );
        assert_eq!(
            render("{{index .Config.Labels \"tier\"}}", &v).unwrap(),
            "db"
        );
        assert_eq!(
            render("{{range .Config.Env}}<{{.}}>{{end}}", &v).unwrap(),
            "<A=1><B=2>"
        );
        assert_eq!(
            render(
                "{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}",
                &v
            )
            .unwrap(),
            "app=x;tier=db;"
        );
        assert_eq!(
            render("{{if .State.Running}}up{{else}}down{{end}}", &v).unwrap(),
            "up"
        );
        assert_eq!(
            render("{{printf \"%s-%d\" .Id .State.Pid}}", &v).unwrap(),
            "abc-42"
        );
        assert_eq!(render("{{len .Config.Env}}", &v).unwrap(), "2");
        assert_eq!(render("{{join .Config.Env \",\"}}", &v).unwrap(), "A=1,B=2");
        assert_eq!(
            render("{{upper .State.Status}} {{title \"a b\"}}", &v).unwrap(),
            "RUNNING A B"
        );
        assert_eq!(render("{{len (split \"a:b:c\" \":\")}}", &v).unwrap(), "3");
        assert_eq!(render("{{truncate .Name 3}}", &v).unwrap(), "/we");
    }

    #[test]
    fn test_table_aligns_columns_under_a_header() {
        assert_eq!(
            align_tabs(&["ID\tNAME".into(), "abc123\tweb".into()]),
            "ID       NAME\nabc123   web\n"
        );
    }

    #[test]
    fn test_errors_name_the_template() {
        let v = data();
        let e = render("{{.NoSuch}}", &v).unwrap_err();
        assert!(e.contains("NoSuch"), "{e}");
        assert!(render("{{.Id", &v)
            .unwrap_err()
            .starts_with("template parsing error"));
        assert!(render("{{nosuchfunc .Id}}", &v).is_err());
    }

    #[test]
    fn test_a_missing_key_of_a_map_field_is_no_value() {
        let v = data();
        assert_eq!(
            render("{{.Config.Labels.nope}}|{{.Config.Labels.tier}}", &v).unwrap(),
            "<no value>|db"
        );
        let e = render("{{.Config.Nope}}", &v).unwrap_err();
        assert!(e.contains("Nope"), "{e}");
    }
}
