//! One source for each fact: the error codes, their HTTP statuses, the checks and the Entra constants are
//! defined in the core (`src/error.rs`, `src/policy.rs`, `src/limits.rs`, gathered by `catalog::to_json`).
//! The JS layer's `lib/catalog.js`, the type unions in `types/catalog.d.ts` and the README's tables are
//! derived from them; these tests fail while any of them differs. To regenerate the two generated files:
//!
//! ```sh
//! ENTRA_GUARD_WRITE_CATALOG=1 cargo test --test core catalog
//! ```
#![cfg(not(target_arch = "wasm32"))]

use entra_guard::error::{Check, ErrorCode};
use serde_json::Value;
use std::path::PathBuf;

const HEADER: &str = "// Generated from the Rust core (src/catalog.rs) by tests/core/catalog.rs. Do not edit: change the core\n\
                      // and run `ENTRA_GUARD_WRITE_CATALOG=1 cargo test --test core catalog` (CI fails while this file is stale).\n";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn catalog() -> Value {
    serde_json::from_str(&entra_guard::catalog::to_json().to_json_string()).unwrap()
}

fn catalog_js() -> String {
    format!(
        "{HEADER}import {{ deepFreeze }} from './freeze.js';\n\n\
         /** @type {{import('../types/catalog.js').Catalog}} */\n\
         export const CATALOG = deepFreeze({});\n",
        serde_json::to_string_pretty(&catalog()).unwrap()
    )
}

fn union(names: impl Iterator<Item = &'static str>) -> String {
    names.map(|name| format!("  | '{name}'")).collect::<Vec<_>>().join("\n")
}

fn catalog_d_ts() -> String {
    let clouds: Vec<String> = catalog()["clouds"].as_object().unwrap().keys().map(|c| format!("'{c}'")).collect();
    format!(
        "{HEADER}
/** The stable error codes (src/error.rs `ErrorCode`), in the README's order. */
export type EntraErrorCode =
{codes};

/** The check that refused (src/error.rs `Check`); from 'size' to 'claim_check' in the order a token meets them. */
export type EntraCheck =
{checks};

/** The core's catalog, as lib/catalog.js holds it. */
export interface Catalog {{
  readonly codes: ReadonlyArray<{{ readonly code: EntraErrorCode; readonly status: number }}>;
  readonly checks: readonly EntraCheck[];
  readonly limits: {{
    readonly maxTokenBytes: number;
    readonly maxHeaderSegmentBytes: number;
    readonly maxJwksBytes: number;
    readonly maxJwksKeys: number;
  }};
  readonly clouds: Readonly<Record<{clouds}, {{ readonly v1: string; readonly v2: string }}>>;
  readonly tenantAliases: readonly string[];
  readonly consumerTenantId: string;
  readonly tenantPlaceholder: string;
  /** A validated token's members other than `claims`, in the order the core sends their values. */
  readonly resultMembers: readonly string[];
}}
",
        codes = union(ErrorCode::ALL.iter().map(|c| c.as_str())),
        checks = union(Check::ALL.iter().map(|c| c.as_str())),
        clouds = clouds.join(" | "),
    )
}

fn current_or_write(relative: &str, expected: &str) {
    let path = root().join(relative);
    if std::env::var_os("ENTRA_GUARD_WRITE_CATALOG").is_some() {
        std::fs::write(&path, expected).unwrap();
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "{relative} is stale: the core's codes, checks or constants changed. Run \
         `ENTRA_GUARD_WRITE_CATALOG=1 cargo test --test core catalog` and commit the result."
    );
}

/// The rows of the README table that follows `heading`: the first column's `code`-quoted names, and the
/// second column's text.
fn readme_table(heading: &str) -> Vec<(String, String)> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme.find(heading).unwrap_or_else(|| panic!("README has no {heading:?}"));
    readme[start..]
        .lines()
        .skip_while(|line| !line.starts_with('|'))
        .take_while(|line| line.starts_with('|'))
        .skip(2)
        .map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            (cells[1].to_owned(), cells[2].to_owned())
        })
        .collect()
}

/// The names in a cell such as "`token_expired` / `token_not_yet_valid`".
fn quoted_names(cell: &str) -> Vec<String> {
    cell.split('`').skip(1).step_by(2).map(str::to_owned).collect()
}

#[test]
fn catalog_js_is_generated_from_the_core_ok() {
    current_or_write("pkg-template/lib/catalog.js", &catalog_js());
}

#[test]
fn catalog_d_ts_is_generated_from_the_core_ok() {
    current_or_write("pkg-template/types/catalog.d.ts", &catalog_d_ts());
}

#[test]
fn readme_error_table_lists_every_code_with_its_status_in_order_ok() {
    let mut listed = Vec::new();
    for (codes, status) in readme_table("| code | status | when |") {
        for code in quoted_names(&codes) {
            listed.push((code, status.clone()));
        }
    }
    let expected: Vec<(String, String)> =
        ErrorCode::ALL.iter().map(|c| (c.as_str().to_owned(), c.http_status().to_string())).collect();
    assert_eq!(
        listed, expected,
        "README's Errors table must list every code, in ErrorCode::ALL's order, with its status"
    );
}

#[test]
fn readme_check_table_lists_every_check_in_order_ok() {
    let listed: Vec<String> =
        readme_table("| check | stage |").into_iter().flat_map(|(checks, _)| quoted_names(&checks)).collect();
    let expected: Vec<String> = Check::ALL.iter().map(|c| c.as_str().to_owned()).collect();
    assert_eq!(listed, expected, "README's check table must list every check, in Check::ALL's order");
}
