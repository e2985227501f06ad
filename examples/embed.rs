#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Embedding the flowc VM: compile a flow, run it against your own `Host`,
//! suspend at a screen, save the state to a file, load it (as another
//! process would) and resume to the end.
//!
//! `cargo run --example embed`

// Only the crate root: the embedding API. `flowc::unstable` is not used.
use flowc::{
    Catalog, Date, Host, HostCall, HostError, Outcome, State, Status, Value, VerifiedModule, Vm,
};
use std::collections::BTreeMap;

const FLOW: &str = r#"
flow embed_demo {
  plan essential
  inquiry { name_first: string, name_last: string, birthdate: date }
  account { name_first: string }
  screen collect {
    collect name_first, name_last, birthdate
    -> check
  }
  action check {
    let db = verify database {
      name_first: inquiry.name_first,
      name_last: inquiry.name_last,
      birthdate: inquiry.birthdate,
    } retry 1 timeout 10s
    -> route
  }
  branch route {
    when db.status == passed and age(inquiry.birthdate) >= 18 -> save
    else -> end declined
  }
  action save {
    set account.name_first = db.name_first
    tag "adult"
    -> end approved
  }
}
"#;

/// A host that "calls" a database which fails once, then passes.
#[derive(Default)]
struct MyHost {
    account: BTreeMap<String, Value>,
    calls: u32,
}

impl Host for MyHost {
    fn call(&mut self, call: &HostCall<'_>) -> Result<Vec<Value>, HostError> {
        self.calls += 1;
        println!(
            "host: {} {} (attempt {}, timeout {})",
            call.result,
            call.target,
            call.attempt,
            call.timeout_secs
                .map_or("none".to_string(), |t| format!("{t}s"))
        );
        if self.calls == 1 {
            return Err(HostError::new("database timed out"));
        }
        // Echo the arguments back as the verified fields, in table order.
        Ok(call
            .fields
            .iter()
            .map(|f| match f.name.as_str() {
                "status" => Value::Status(Status::Passed),
                name => call.args.get(name).map_or(Value::None, Value::clone),
            })
            .collect())
    }
    fn read_account(&mut self, field: &str) -> Result<Value, HostError> {
        Ok(self.account.get(field).cloned().unwrap_or(Value::None))
    }
    fn write_account(&mut self, field: &str, value: &Value) -> Result<(), HostError> {
        println!("host: account.{field} = {value}");
        self.account.insert(field.to_string(), value.clone());
        Ok(())
    }
    fn tag(&mut self, text: &str) -> Result<(), HostError> {
        println!("host: tag {text:?}");
        Ok(())
    }
    fn case(&mut self, queue: &str) -> Result<(), HostError> {
        println!("host: case {queue:?}");
        Ok(())
    }
    fn today(&mut self) -> Date {
        Date::parse("2026-11-25").unwrap()
    }
    fn step_entered(&mut self, step: &str) {
        println!("enter {step}");
    }
}

fn main() {
    let compiled = flowc::compile_source(FLOW, &Catalog::builtin());
    let module = compiled.module.expect("the flow compiles");
    let module_bytes = module.to_bytes();
    let dir = std::env::temp_dir();
    let state_path = dir.join("flowc_embed_state.bin");

    // Process 1: run to the first screen and save the state.
    {
        let module = VerifiedModule::from_bytes(&module_bytes).unwrap();
        let mut state = Vm::start(&module);
        let mut host = MyHost::default();
        match Vm::run(&module, &mut state, &mut host, 10_000).unwrap() {
            Outcome::Suspended(req) => {
                let wanted: Vec<String> = req
                    .fields
                    .iter()
                    .map(|f| format!("{}: {}", f.name, f.type_text()))
                    .collect();
                println!(
                    "suspended at `{}` wanting {}",
                    req.screen,
                    wanted.join(", ")
                )
            }
            Outcome::Ended(s) => panic!("ended early: {s}"),
        }
        std::fs::write(&state_path, state.to_bytes(&module).unwrap()).unwrap();
        println!("state saved to {}", state_path.display());
    }

    // Process 2: load module and state, resume with the user's answers.
    let module = VerifiedModule::from_bytes(&module_bytes).unwrap();
    let mut state = State::from_bytes(&module, &std::fs::read(&state_path).unwrap()).unwrap();
    let input = r#"{"name_first": "Ada", "name_last": "Lovelace", "birthdate": "1815-12-10"}"#;
    Vm::resume_json(&module, &mut state, input).unwrap();
    let mut host = MyHost::default();
    let outcome = Vm::run(&module, &mut state, &mut host, 10_000).unwrap();
    println!("outcome: {outcome:?}");
    let _ = std::fs::remove_file(&state_path);
}
