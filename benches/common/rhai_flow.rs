//! The Rhai contender: the reference flow as a Rhai script whose host
//! functions call the same [`BenchHost`] with the same call tables
//! ([`CallSite`]) as the VM and the native code, and a runner for the
//! compute scripts from `flows::compute`.

use super::api::{self, BenchHost, CallSite, Date, EndStatus, Host, Input, Module, Value};
use rhai::{AST, Array, Dynamic, Engine, ImmutableString, Map, Scope};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// The reference flow (`reference::SOURCE`) step for step: a loop over the
/// step names, each arm doing what the Flow step does.
pub const REFERENCE_SCRIPT: &str = r#"
let phone_number = ""; let email_address = "";
let name_first = ""; let name_last = ""; let birthdate = (); let country = "";
let phone_status = ();
let phone = (); let email = (); let id = (); let face = (); let db = ();
let wl = (); let media = ();
let contact_visits = 0; let id_capture_visits = 0;
let step = "contact";
loop {
  switch step {
    "contact" => {
      enter("contact");
      contact_visits += 1;
      let i = screen("contact");
      phone_number = i.phone_number;
      email_address = i.email_address;
      step = "verify_contact";
    }
    "verify_contact" => {
      enter("verify_contact");
      phone = host_call("phone", #{ phone_number: trimmed(phone_number) });
      email = host_call("email", #{ email_address: trimmed(email_address).to_lower() });
      phone_status = phone.status;
      if phone.status == "passed" {
        set_account("phone_number", phone.phone_number);
        tag("phone-verified");
      } else {
        tag("phone-unverified");
      }
      if email.status == "passed" { set_account("email_address", email.email_address); }
      step = "contact_result";
    }
    "contact_result" => {
      enter("contact_result");
      if phone.status == "passed" && email.status == "passed" { step = "details"; }
      else if contact_visits < 3 { step = "contact"; }
      else { return "declined"; }
    }
    "details" => {
      enter("details");
      let i = screen("details");
      name_first = i.name_first;
      name_last = i.name_last;
      birthdate = i.birthdate;
      country = i.country;
      step = "id_capture";
    }
    "id_capture" => {
      enter("id_capture");
      id_capture_visits += 1;
      screen("id_capture");
      step = "selfie_capture";
    }
    "selfie_capture" => {
      enter("selfie_capture");
      screen("selfie_capture");
      step = "verify_identity";
    }
    "verify_identity" => {
      enter("verify_identity");
      id = host_call("id", #{});
      face = host_call("face", #{});
      step = "review";
    }
    "review" => {
      enter("review");
      if id.status == "passed" && face.status == "passed" && face.match_score >= 80 { step = "age_check"; }
      else if id_capture_visits < 3 { step = "id_capture"; }
      else { return "declined"; }
    }
    "age_check" => {
      enter("age_check");
      if age(id.birthdate) >= 18 && id.expiration_date > today() { step = "check_database"; }
      else { return "declined"; }
    }
    "check_database" => {
      enter("check_database");
      db = host_call("db", #{ name_first: name_first, name_last: name_last, birthdate: birthdate, country: country });
      if type_of(db) == "()" { step = "manual_review"; } else { step = "database_result"; }
    }
    "database_result" => {
      enter("database_result");
      if db.status == "passed" && ["US", "GB", "DE", "FR"].contains(country.to_upper()) { step = "screening"; }
      else { step = "manual_review"; }
    }
    "screening" => {
      enter("screening");
      wl = host_call("wl", #{ name_first: name_first, name_last: name_last, birthdate: birthdate });
      media = host_call("media", #{ name_first: name_first, name_last: name_last });
      set_account("watchlist_hit", wl.matched);
      step = "screening_result";
    }
    "screening_result" => {
      enter("screening_result");
      if wl.matched || media.matched { step = "open_case"; } else { step = "clear"; }
    }
    "open_case" => {
      enter("open_case");
      tag("screening-hit");
      if wl.matched { tag("watchlist"); }
      if media.matched { tag("adverse-media"); }
      open_case_in("manual-review");
      step = "notify";
    }
    "clear" => {
      enter("clear");
      tag("screening-clear");
      step = "save";
    }
    "save" => {
      enter("save");
      set_account("name_first", id.name_first);
      set_account("birthdate", id.birthdate);
      step = "notify";
    }
    "notify" => {
      enter("notify");
      step = "send_webhook";
    }
    "send_webhook" => {
      enter("send_webhook");
      let hook = host_call("hook", #{ country: country, watchlist: wl.matched, adverse_media: media.matched });
      if type_of(hook) != "()" && !hook.ok { tag("webhook-failed"); }
      step = "outcome";
    }
    "outcome" => {
      enter("outcome");
      if wl.matched || media.matched { return "needs_review"; }
      return "approved";
    }
    "manual_review" => {
      enter("manual_review");
      tag("database-unavailable");
      open_case_in("manual-review");
      return "needs_review";
    }
  }
}
"#;

fn to_dynamic(v: &Value) -> Dynamic {
    match v {
        Value::None => Dynamic::UNIT,
        Value::Bool(b) => Dynamic::from(*b),
        Value::Int(i) => Dynamic::from(*i),
        Value::Str(s) => Dynamic::from(ImmutableString::from(s.as_str())),
        Value::Date(d) => Dynamic::from(*d),
        Value::Status(s) => Dynamic::from(ImmutableString::from(s.name())),
    }
}

fn to_value(d: &Dynamic) -> Value {
    if d.is_unit() {
        Value::None
    } else if let Some(b) = d.clone().try_cast::<bool>() {
        Value::Bool(b)
    } else if let Some(i) = d.clone().try_cast::<i64>() {
        Value::Int(i)
    } else if let Some(date) = d.clone().try_cast::<Date>() {
        Value::Date(date)
    } else if let Some(s) = d.clone().try_cast::<ImmutableString>() {
        Value::Str(s.to_string())
    } else {
        panic!("no flow value for {d:?}")
    }
}

struct Ctx {
    host: BenchHost,
    sites: HashMap<String, CallSite>,
    inputs: Vec<(&'static str, Input)>,
}

/// An engine with the host functions registered, and the compiled script.
pub struct RhaiFlow {
    engine: Engine,
    ast: AST,
    ctx: Rc<RefCell<Ctx>>,
}

impl RhaiFlow {
    /// The reference script with the call tables of `m` (the compiled
    /// reference flow) and the screens' answers.
    pub fn reference(m: &Module, inputs: Vec<(&'static str, Input)>) -> RhaiFlow {
        let sites = api::result_names(m)
            .into_iter()
            .map(|name| (name.clone(), CallSite::of(m, &name)))
            .collect();
        let ctx = Rc::new(RefCell::new(Ctx {
            host: BenchHost::default(),
            sites,
            inputs,
        }));
        let mut engine = Engine::new();
        engine.register_type_with_name::<Date>("Date");
        engine.register_fn(">", |a: Date, b: Date| a > b);
        engine.register_fn("trimmed", |s: &str| s.trim().to_string());
        let c = ctx.clone();
        engine.register_fn("enter", move |step: &str| {
            c.borrow_mut().host.step_entered(step)
        });
        let c = ctx.clone();
        engine.register_fn("tag", move |text: &str| {
            let _ = c.borrow_mut().host.tag(text);
        });
        let c = ctx.clone();
        engine.register_fn("open_case_in", move |q: &str| {
            let _ = c.borrow_mut().host.case(q);
        });
        let c = ctx.clone();
        engine.register_fn("set_account", move |field: &str, v: Dynamic| {
            let _ = c.borrow_mut().host.write_account(field, &to_value(&v));
        });
        let c = ctx.clone();
        engine.register_fn("today", move || c.borrow_mut().host.today());
        let c = ctx.clone();
        engine.register_fn("age", move |d: Date| {
            let today = c.borrow_mut().host.today();
            api::age(d, today)
        });
        let c = ctx.clone();
        engine.register_fn("screen", move |name: &str| -> Map {
            let ctx = c.borrow();
            let input = super::reference::input_for(&ctx.inputs, name);
            input
                .iter()
                .map(|(k, v)| (k.as_str().into(), to_dynamic(v)))
                .collect()
        });
        let c = ctx.clone();
        engine.register_fn("host_call", move |result: &str, args: Map| -> Dynamic {
            let ctx = &mut *c.borrow_mut();
            let Some(site) = ctx.sites.get(result) else {
                panic!("no call site `{result}`")
            };
            let values: Vec<(String, Value)> = site
                .arg_names
                .iter()
                .filter_map(|n| args.get(n.as_str()).map(|v| (n.clone(), to_value(v))))
                .collect();
            match api::call(&mut ctx.host, site, &values) {
                Ok(answer) => {
                    let map: Map = site
                        .fields
                        .iter()
                        .zip(&answer)
                        .map(|(f, v)| (f.name.as_str().into(), to_dynamic(v)))
                        .collect();
                    Dynamic::from_map(map)
                }
                Err(_) => Dynamic::UNIT,
            }
        });
        let ast = match engine.compile(REFERENCE_SCRIPT) {
            Ok(a) => a,
            Err(e) => panic!("the reference Rhai script does not compile: {e}"),
        };
        RhaiFlow { engine, ast, ctx }
    }

    /// One run of the script from a fresh scope: the end status.
    pub fn run(&self) -> EndStatus {
        let out: ImmutableString = match self
            .engine
            .eval_ast_with_scope(&mut Scope::new(), &self.ast)
        {
            Ok(s) => s,
            Err(e) => panic!("the reference Rhai script failed: {e}"),
        };
        match EndStatus::from_name(&out) {
            Some(s) => s,
            None => panic!("the Rhai script ended with {out:?}"),
        }
    }

    /// The host the script ran against (its counters).
    pub fn host(&self) -> BenchHost {
        self.ctx.borrow().host.clone()
    }

    pub fn reset_host(&self) {
        self.ctx.borrow_mut().host = BenchHost::default();
    }
}

/// A compute script (see `flows::compute`) compiled once.
pub struct RhaiCompute {
    engine: Engine,
    ast: AST,
}

impl RhaiCompute {
    pub fn new(script: &str) -> RhaiCompute {
        let engine = Engine::new();
        let ast = match engine.compile(script) {
            Ok(a) => a,
            Err(e) => panic!("a compute Rhai script does not compile: {e}"),
        };
        RhaiCompute { engine, ast }
    }

    /// Runs from `a b c s t flag` to `[acc, n, b, flag]`.
    pub fn run(&self, input: (i64, i64, i64, &str, &str, bool)) -> [Value; 4] {
        let mut scope = Scope::new();
        let (a, b, c, s, t, flag) = input;
        scope.push("a", a);
        scope.push("b", b);
        scope.push("c", c);
        scope.push("s", ImmutableString::from(s));
        scope.push("t", ImmutableString::from(t));
        scope.push("flag", flag);
        let out: Array = match self.engine.eval_ast_with_scope(&mut scope, &self.ast) {
            Ok(a) => a,
            Err(e) => panic!("a compute Rhai script failed: {e}"),
        };
        let v = |i: usize| out.get(i).map_or(Value::None, to_value);
        [v(0), v(1), v(2), v(3)]
    }
}
