//! Kattis default-validator flags and the built-in checkers they stand for, both ways.

use crucible_sandbox::Checker;

/// The built-in checker for Kattis default-validator flags.
///
/// - no flags: `Checker::Tokens { case_sensitive: false }` (the Kattis default);
/// - `case_sensitive`: letters compare exactly;
/// - `float_tolerance X` (absolute and relative), `float_absolute_tolerance X`,
///   `float_relative_tolerance X`: `Checker::Float` (an unset tolerance is 0; either one
///   suffices, as in Kattis);
/// - `space_change_sensitive`: Kattis then rejects changes in the amount of whitespace. We
///   have no such checker (`Checker::Exact` would also reject a missing final newline, which
///   Kattis accepts), so this is approximated by the token checker, which is more lenient
///   about whitespace only.
///
/// Unknown flags are an error (the Kattis default validator rejects them as well).
pub fn checker_from_flags(flags: &str) -> Result<Checker, String> {
    let mut case_sensitive = false;
    let (mut abs, mut rel) = (None, None);
    let mut words = flags.split_whitespace();
    while let Some(flag) = words.next() {
        let tolerance = |words: &mut std::str::SplitWhitespace<'_>| -> Result<f64, String> {
            let Some(text) = words.next() else {
                return Err(format!("`{flag}` needs a number after it"));
            };
            match text.parse::<f64>() {
                Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
                _ => Err(format!(
                    "`{flag}` needs a non-negative number, found `{text}`"
                )),
            }
        };
        match flag {
            "case_sensitive" => case_sensitive = true,
            "space_change_sensitive" => {
                tracing::debug!("space_change_sensitive approximated by the token checker");
            }
            "float_tolerance" => {
                let x = tolerance(&mut words)?;
                abs = Some(x);
                rel = Some(x);
            }
            "float_absolute_tolerance" => abs = Some(tolerance(&mut words)?),
            "float_relative_tolerance" => rel = Some(tolerance(&mut words)?),
            other => {
                return Err(format!(
                    "unknown validator flag `{other}` (expected case_sensitive, \
                     space_change_sensitive, float_tolerance, float_absolute_tolerance or \
                     float_relative_tolerance)"
                ));
            }
        }
    }
    Ok(if abs.is_some() || rel.is_some() {
        Checker::Float {
            abs: abs.unwrap_or(0.0),
            rel: rel.unwrap_or(0.0),
            case_sensitive,
        }
    } else {
        Checker::Tokens { case_sensitive }
    })
}

/// Kattis default-validator flags for a built-in checker (`None` for `Checker::Custom`).
///
/// `Checker::Exact` becomes `case_sensitive space_change_sensitive`, the strictest the
/// default validator offers; it reads back as `Tokens { case_sensitive: true }`.
pub fn flags_for_checker(checker: &Checker) -> Option<String> {
    let mut flags = Vec::new();
    match checker {
        Checker::Exact => {
            flags.push("case_sensitive".to_string());
            flags.push("space_change_sensitive".to_string());
        }
        Checker::Tokens { case_sensitive } => {
            if *case_sensitive {
                flags.push("case_sensitive".to_string());
            }
        }
        Checker::Float {
            abs,
            rel,
            case_sensitive,
        } => {
            if abs == rel {
                flags.push(format!("float_tolerance {}", format_float(*abs)));
            } else {
                if *abs != 0.0 {
                    flags.push(format!("float_absolute_tolerance {}", format_float(*abs)));
                }
                if *rel != 0.0 {
                    flags.push(format!("float_relative_tolerance {}", format_float(*rel)));
                }
            }
            if *case_sensitive {
                flags.push("case_sensitive".to_string());
            }
        }
        Checker::Custom => return None,
    }
    Some(flags.join(" "))
}

/// A float in the shortest form that parses back to the same value (`1e-6`, `0.5`).
fn format_float(x: f64) -> String {
    if x != 0.0 && (x.abs() < 1e-3 || x.abs() >= 1e7) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_map_to_checkers() {
        assert_eq!(checker_from_flags(""), Ok(Checker::default()));
        assert_eq!(
            checker_from_flags("case_sensitive"),
            Ok(Checker::Tokens {
                case_sensitive: true
            })
        );
        assert_eq!(
            checker_from_flags("space_change_sensitive"),
            Ok(Checker::Tokens {
                case_sensitive: false
            })
        );
        assert_eq!(
            checker_from_flags("float_tolerance 1e-6"),
            Ok(Checker::float(1e-6))
        );
        assert_eq!(
            checker_from_flags("float_absolute_tolerance 0.5 case_sensitive"),
            Ok(Checker::Float {
                abs: 0.5,
                rel: 0.0,
                case_sensitive: true
            })
        );
        assert_eq!(
            checker_from_flags(" float_relative_tolerance 1e-4\tfloat_absolute_tolerance 1e-9 "),
            Ok(Checker::Float {
                abs: 1e-9,
                rel: 1e-4,
                case_sensitive: false
            })
        );
        assert!(checker_from_flags("float_tolerance").is_err());
        assert!(checker_from_flags("float_tolerance abc").is_err());
        assert!(checker_from_flags("float_tolerance -1").is_err());
        assert!(checker_from_flags("float_tolerance inf").is_err());
        let unknown = checker_from_flags("frobnicate").unwrap_err();
        assert!(unknown.contains("frobnicate"), "{unknown}");
    }

    #[test]
    fn flags_round_trip() {
        let checkers = [
            Checker::default(),
            Checker::Tokens {
                case_sensitive: true,
            },
            Checker::float(1e-6),
            Checker::Float {
                abs: 0.0,
                rel: 0.25,
                case_sensitive: true,
            },
            Checker::Float {
                abs: 3e-9,
                rel: 0.0,
                case_sensitive: false,
            },
            Checker::Float {
                abs: 1.5e10,
                rel: 1e-300,
                case_sensitive: false,
            },
        ];
        for checker in checkers {
            let flags = flags_for_checker(&checker).unwrap();
            assert_eq!(checker_from_flags(&flags), Ok(checker.clone()), "{flags}");
        }
        assert_eq!(flags_for_checker(&Checker::Custom), None);
        assert_eq!(
            checker_from_flags(&flags_for_checker(&Checker::Exact).unwrap()),
            Ok(Checker::Tokens {
                case_sensitive: true
            })
        );
        assert_eq!(format_float(1e-6), "1e-6");
        assert_eq!(format_float(0.5), "0.5");
    }
}
