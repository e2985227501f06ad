//! The 20-step reference flow, three ways: Flow source for the VM, a
//! hand-written Rust function, and a Rhai script (in `rhai_flow.rs`). All
//! three run against the same [`BenchHost`], make the same host calls with
//! the same tables, and take the same screen inputs; the benches assert
//! that they end the same way having done the same things.

use super::api::{self, BenchHost, CallSite, EndStatus, Host, Input, Module, Value};

/// Phone and email, identity documents, a database check, screening and a
/// webhook: every kind of step, statement and condition once. 20 steps.
pub const SOURCE: &str = r#"flow reference {
  plan growth
  inquiry {
    phone_number: string,
    email_address: string,
    name_first: string,
    name_last: string,
    birthdate: date,
    country: string,
    phone_status: verification_status?,
  }
  account {
    phone_number: string,
    email_address: string,
    name_first: string,
    birthdate: date,
    watchlist_hit: bool,
  }

  screen contact {
    collect phone_number, email_address
    -> verify_contact
  }

  action verify_contact {
    let phone = verify phone_number { phone_number: trim(inquiry.phone_number) } retry 1 timeout 20s
    let email = verify email_address { email_address: lower(trim(inquiry.email_address)) } retry 1 timeout 20s
    set inquiry.phone_status = phone.status
    if phone.status == passed {
      set account.phone_number = phone.phone_number
      tag "phone-verified"
    } else {
      tag "phone-unverified"
    }
    if email.status == passed { set account.email_address = email.email_address }
    -> contact_result
  }

  branch contact_result {
    when phone.status == passed and email.status == passed -> details
    when attempts(contact) < 3 -> contact
    else -> end declined
  }

  screen details {
    collect name_first, name_last, birthdate, country
    -> id_capture
  }

  screen id_capture {
    capture government_id
    -> selfie_capture
  }

  screen selfie_capture {
    capture selfie
    -> verify_identity
  }

  action verify_identity {
    let id = verify government_id { } retry 1 timeout 30s
    let face = verify selfie { } retry 1 timeout 30s
    -> review
  }

  branch review {
    when id.status == passed and face.status == passed and face.match_score >= 80 -> age_check
    when attempts(id_capture) < 3 -> id_capture
    else -> end declined
  }

  branch age_check {
    when age(id.birthdate) >= 18 and id.expiration_date > today() -> check_database
    else -> end declined
  }

  action check_database {
    let db = verify database {
      name_first: inquiry.name_first,
      name_last: inquiry.name_last,
      birthdate: inquiry.birthdate,
      country: inquiry.country,
    } retry 2 timeout 30s
    -> database_result
    on error -> manual_review
  }

  branch database_result {
    when db.status == passed and upper(inquiry.country) in ["US", "GB", "DE", "FR"] -> screening
    else -> manual_review
  }

  action screening {
    let wl = report watchlist {
      name_first: inquiry.name_first,
      name_last: inquiry.name_last,
      birthdate: inquiry.birthdate,
    }
    let media = report adverse_media {
      name_first: inquiry.name_first,
      name_last: inquiry.name_last,
    }
    set account.watchlist_hit = wl.matched
    -> screening_result
  }

  branch screening_result {
    when wl.matched or media.matched -> open_case
    else -> clear
  }

  action open_case {
    tag "screening-hit"
    if wl.matched { tag "watchlist" }
    if media.matched { tag "adverse-media" }
    case "manual-review"
    -> notify
  }

  action clear {
    tag "screening-clear"
    -> save
  }

  action save {
    set account.name_first = id.name_first
    set account.birthdate = id.birthdate
    -> notify
  }

  connector notify { -> send_webhook }

  action send_webhook {
    let hook = http post "https://compliance.example.com/hooks/screening" {
      country: inquiry.country,
      watchlist: wl.matched,
      adverse_media: media.matched,
    } retry 1 timeout 10s
    if not hook.ok { tag "webhook-failed" }
    -> outcome
    on error -> outcome
  }

  branch outcome {
    when wl.matched or media.matched -> end needs_review
    else -> end approved
  }

  action manual_review {
    tag "database-unavailable"
    case "manual-review"
    -> end needs_review
  }
}
"#;

/// The screens' answers, in the order the run reaches them.
pub fn inputs() -> Vec<(&'static str, Input)> {
    let s = |v: &str| Value::Str(v.to_string());
    vec![
        (
            "contact",
            vec![
                ("phone_number".into(), s(" +14155550100 ")),
                ("email_address".into(), s("Ada@Example.COM")),
            ],
        ),
        (
            "details",
            vec![
                ("name_first".into(), s("Ada")),
                ("name_last".into(), s("Lovelace")),
                ("birthdate".into(), Value::Date(api::date("1990-05-17"))),
                ("country".into(), s("gb")),
            ],
        ),
        (
            "id_capture",
            vec![("government_id".into(), Value::Bool(true))],
        ),
        ("selfie_capture", vec![("selfie".into(), Value::Bool(true))]),
    ]
}

/// The answer for `screen` from [`inputs`].
pub fn input_for<'a>(inputs: &'a [(&'static str, Input)], screen: &str) -> &'a [(String, Value)] {
    match inputs.iter().find(|(s, _)| *s == screen) {
        Some((_, i)) => i,
        None => panic!("no input for screen `{screen}`"),
    }
}

/// The run every contender must reproduce.
pub const END: EndStatus = EndStatus::Approved;

// ----- hand-written Rust ---------------------------------------------------------------

/// The call tables, taken once from the compiled module (as the VM takes
/// them from its module).
pub struct Native {
    phone: CallSite,
    email: CallSite,
    id: CallSite,
    face: CallSite,
    db: CallSite,
    wl: CallSite,
    media: CallSite,
    hook: CallSite,
}

impl Native {
    pub fn new(m: &Module) -> Native {
        Native {
            phone: CallSite::of(m, "phone"),
            email: CallSite::of(m, "email"),
            id: CallSite::of(m, "id"),
            face: CallSite::of(m, "face"),
            db: CallSite::of(m, "db"),
            wl: CallSite::of(m, "wl"),
            media: CallSite::of(m, "media"),
            hook: CallSite::of(m, "hook"),
        }
    }
}

#[derive(Clone, Copy)]
enum Step {
    Contact,
    VerifyContact,
    ContactResult,
    Details,
    IdCapture,
    SelfieCapture,
    VerifyIdentity,
    Review,
    AgeCheck,
    CheckDatabase,
    DatabaseResult,
    Screening,
    ScreeningResult,
    OpenCase,
    Clear,
    Save,
    Notify,
    SendWebhook,
    Outcome,
    ManualReview,
}

fn str_of(v: &Value) -> &str {
    match v {
        Value::Str(s) => s,
        _ => "",
    }
}
fn is_true(v: Option<&Value>) -> bool {
    matches!(v, Some(Value::Bool(true)))
}
fn passed(r: &Option<Vec<Value>>) -> bool {
    matches!(
        r.as_ref().and_then(|v| v.first()),
        Some(Value::Status(api::Status::Passed))
    )
}
fn field<'a>(r: &'a Option<Vec<Value>>, site: &CallSite, name: &str) -> Option<&'a Value> {
    r.as_ref().and_then(|v| v.get(site.field(name)))
}

/// The reference flow as a Rust programmer would write it against the same
/// `Host`: a loop over the steps, typed locals for the inquiry, the same
/// calls with the same arguments, retries and `on error` routes. Like the
/// VM, it reaches the host through `&mut dyn Host` (hidden from the
/// optimizer, so that neither side gets its host calls devirtualized and
/// inlined), and it is never inlined into the bench loop.
#[inline(never)]
pub fn run_native(n: &Native, host: &mut BenchHost, inputs: &[(&'static str, Input)]) -> EndStatus {
    let host: &mut dyn Host = std::hint::black_box(host);
    // inquiry
    let (mut phone_number, mut email_address) = (String::new(), String::new());
    let (mut name_first, mut name_last, mut country) =
        (String::new(), String::new(), String::new());
    let mut birthdate = api::date("1970-01-01");
    let mut _phone_status: Option<api::Status> = None;
    // results
    let (mut phone, mut email, mut id, mut face, mut db) = (None, None, None, None, None);
    let (mut wl, mut media): (Option<Vec<Value>>, Option<Vec<Value>>) = (None, None);
    let (mut contact_visits, mut id_capture_visits) = (0u32, 0u32);
    let mut step = Step::Contact;
    loop {
        step = match step {
            Step::Contact => {
                host.step_entered("contact");
                contact_visits += 1;
                let i = input_for(inputs, "contact");
                phone_number = str_of(&i[0].1).to_string();
                email_address = str_of(&i[1].1).to_string();
                Step::VerifyContact
            }
            Step::VerifyContact => {
                host.step_entered("verify_contact");
                let args = [(
                    "phone_number".to_string(),
                    Value::Str(phone_number.trim().to_string()),
                )];
                let Ok(p) = api::call(host, &n.phone, &args) else {
                    panic!("no on error route")
                };
                phone = Some(p);
                let args = [(
                    "email_address".to_string(),
                    Value::Str(email_address.trim().to_lowercase()),
                )];
                let Ok(e) = api::call(host, &n.email, &args) else {
                    panic!("no on error route")
                };
                email = Some(e);
                _phone_status = match phone.as_ref().and_then(|v| v.first()) {
                    Some(Value::Status(s)) => Some(*s),
                    _ => None,
                };
                if passed(&phone) {
                    let v = field(&phone, &n.phone, "phone_number")
                        .cloned()
                        .unwrap_or(Value::None);
                    let _ = host.write_account("phone_number", &v);
                    let _ = host.tag("phone-verified");
                } else {
                    let _ = host.tag("phone-unverified");
                }
                if passed(&email) {
                    let v = field(&email, &n.email, "email_address")
                        .cloned()
                        .unwrap_or(Value::None);
                    let _ = host.write_account("email_address", &v);
                }
                Step::ContactResult
            }
            Step::ContactResult => {
                host.step_entered("contact_result");
                if passed(&phone) && passed(&email) {
                    Step::Details
                } else if contact_visits < 3 {
                    Step::Contact
                } else {
                    return EndStatus::Declined;
                }
            }
            Step::Details => {
                host.step_entered("details");
                let i = input_for(inputs, "details");
                name_first = str_of(&i[0].1).to_string();
                name_last = str_of(&i[1].1).to_string();
                if let Value::Date(d) = i[2].1 {
                    birthdate = d;
                }
                country = str_of(&i[3].1).to_string();
                Step::IdCapture
            }
            Step::IdCapture => {
                host.step_entered("id_capture");
                id_capture_visits += 1;
                let _ = input_for(inputs, "id_capture");
                Step::SelfieCapture
            }
            Step::SelfieCapture => {
                host.step_entered("selfie_capture");
                let _ = input_for(inputs, "selfie_capture");
                Step::VerifyIdentity
            }
            Step::VerifyIdentity => {
                host.step_entered("verify_identity");
                let Ok(r) = api::call(host, &n.id, &[]) else {
                    panic!("no on error route")
                };
                id = Some(r);
                let Ok(r) = api::call(host, &n.face, &[]) else {
                    panic!("no on error route")
                };
                face = Some(r);
                Step::Review
            }
            Step::Review => {
                host.step_entered("review");
                let score = match field(&face, &n.face, "match_score") {
                    Some(Value::Int(s)) => *s,
                    _ => 0,
                };
                if passed(&id) && passed(&face) && score >= 80 {
                    Step::AgeCheck
                } else if id_capture_visits < 3 {
                    Step::IdCapture
                } else {
                    return EndStatus::Declined;
                }
            }
            Step::AgeCheck => {
                host.step_entered("age_check");
                let today = host.today();
                let adult = match field(&id, &n.id, "birthdate") {
                    Some(Value::Date(d)) => api::age(*d, today) >= 18,
                    _ => false,
                };
                let valid = adult
                    && match field(&id, &n.id, "expiration_date") {
                        Some(Value::Date(d)) => *d > host.today(),
                        _ => false,
                    };
                if valid {
                    Step::CheckDatabase
                } else {
                    return EndStatus::Declined;
                }
            }
            Step::CheckDatabase => {
                host.step_entered("check_database");
                let args = [
                    ("name_first".to_string(), Value::Str(name_first.clone())),
                    ("name_last".to_string(), Value::Str(name_last.clone())),
                    ("birthdate".to_string(), Value::Date(birthdate)),
                    ("country".to_string(), Value::Str(country.clone())),
                ];
                match api::call(host, &n.db, &args) {
                    Ok(r) => {
                        db = Some(r);
                        Step::DatabaseResult
                    }
                    Err(_) => Step::ManualReview,
                }
            }
            Step::DatabaseResult => {
                host.step_entered("database_result");
                let upper = country.to_uppercase();
                if passed(&db) && ["US", "GB", "DE", "FR"].contains(&upper.as_str()) {
                    Step::Screening
                } else {
                    Step::ManualReview
                }
            }
            Step::Screening => {
                host.step_entered("screening");
                let args = [
                    ("name_first".to_string(), Value::Str(name_first.clone())),
                    ("name_last".to_string(), Value::Str(name_last.clone())),
                    ("birthdate".to_string(), Value::Date(birthdate)),
                ];
                let Ok(r) = api::call(host, &n.wl, &args) else {
                    panic!("no on error route")
                };
                wl = Some(r);
                let args = [
                    ("name_first".to_string(), Value::Str(name_first.clone())),
                    ("name_last".to_string(), Value::Str(name_last.clone())),
                ];
                let Ok(r) = api::call(host, &n.media, &args) else {
                    panic!("no on error route")
                };
                media = Some(r);
                let hit = field(&wl, &n.wl, "matched").cloned().unwrap_or(Value::None);
                let _ = host.write_account("watchlist_hit", &hit);
                Step::ScreeningResult
            }
            Step::ScreeningResult => {
                host.step_entered("screening_result");
                if is_true(field(&wl, &n.wl, "matched"))
                    || is_true(field(&media, &n.media, "matched"))
                {
                    Step::OpenCase
                } else {
                    Step::Clear
                }
            }
            Step::OpenCase => {
                host.step_entered("open_case");
                let _ = host.tag("screening-hit");
                if is_true(field(&wl, &n.wl, "matched")) {
                    let _ = host.tag("watchlist");
                }
                if is_true(field(&media, &n.media, "matched")) {
                    let _ = host.tag("adverse-media");
                }
                let _ = host.case("manual-review");
                Step::Notify
            }
            Step::Clear => {
                host.step_entered("clear");
                let _ = host.tag("screening-clear");
                Step::Save
            }
            Step::Save => {
                host.step_entered("save");
                let v = field(&id, &n.id, "name_first")
                    .cloned()
                    .unwrap_or(Value::None);
                let _ = host.write_account("name_first", &v);
                let v = field(&id, &n.id, "birthdate")
                    .cloned()
                    .unwrap_or(Value::None);
                let _ = host.write_account("birthdate", &v);
                Step::Notify
            }
            Step::Notify => {
                host.step_entered("notify");
                Step::SendWebhook
            }
            Step::SendWebhook => {
                host.step_entered("send_webhook");
                let args = [
                    ("country".to_string(), Value::Str(country.clone())),
                    (
                        "watchlist".to_string(),
                        field(&wl, &n.wl, "matched").cloned().unwrap_or(Value::None),
                    ),
                    (
                        "adverse_media".to_string(),
                        field(&media, &n.media, "matched")
                            .cloned()
                            .unwrap_or(Value::None),
                    ),
                ];
                match api::call(host, &n.hook, &args) {
                    Ok(r) => {
                        let ok = r.get(n.hook.field("ok"));
                        if !is_true(ok) {
                            let _ = host.tag("webhook-failed");
                        }
                        Step::Outcome
                    }
                    Err(_) => Step::Outcome,
                }
            }
            Step::Outcome => {
                host.step_entered("outcome");
                if is_true(field(&wl, &n.wl, "matched"))
                    || is_true(field(&media, &n.media, "matched"))
                {
                    return EndStatus::NeedsReview;
                }
                return EndStatus::Approved;
            }
            Step::ManualReview => {
                host.step_entered("manual_review");
                let _ = host.tag("database-unavailable");
                let _ = host.case("manual-review");
                return EndStatus::NeedsReview;
            }
        };
    }
}
