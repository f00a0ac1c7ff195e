//! Fuzz target: `gofront::dockerfile::parse` must return Ok or Err on any input, never panic;
//! every accepted file's shell-form words must also survive the word lexer.
#![no_main]

use gofront::dockerfile::ast::{Instruction, Stage};
use gofront::dockerfile::shell::Lexer;
use libfuzzer_sys::fuzz_target;

fn lex_stage(lexer: &Lexer, stage: &Stage) {
    let env: Vec<(String, String)> = vec![("A".into(), "a b".into())];
    let _ = lexer.process_words(&stage.base_name, &env);
    for cmd in &stage.commands {
        match &cmd.instruction {
            Instruction::Env(kvs) | Instruction::Label(kvs) => {
                for kv in kvs {
                    let _ = lexer.process_word(&kv.value, &env);
                }
            }
            Instruction::Workdir(w) | Instruction::User(w) => {
                let _ = lexer.process_word(w, &env);
            }
            _ => {}
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(df) = gofront::dockerfile::parse(&text) {
        let lexer = Lexer::new(df.directives.escape);
        for stage in &df.stages {
            lex_stage(&lexer, stage);
        }
    }
});
