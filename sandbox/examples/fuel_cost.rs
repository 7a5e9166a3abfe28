//! Throwaway experiment: cost of fuel and epoch instrumentation.
use crucible_sandbox::toolchain::{Toolchain, ToolchainConfig};
use crucible_sandbox::{Language, default_cache_dir};
use std::time::Instant;
use wasmtime::*;

fn main() {
    let tc = Toolchain::prepare(ToolchainConfig::default(), &default_cache_dir()).unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("calibration");
    for name in ["sieve", "sort", "dp"] {
        let src = std::fs::read(dir.join(format!("{name}.cpp"))).unwrap();
        let wasm = tc.compile(Language::Cpp, &src).unwrap();
        let mut row = format!("{name}:");
        for (fuel, epoch) in [(false, false), (false, true), (true, false), (true, true)] {
            let mut cfg = Config::new();
            cfg.consume_fuel(fuel).epoch_interruption(epoch).cranelift_opt_level(OptLevel::Speed)
                .max_wasm_stack(64 << 20).memory_reservation(4 << 30);
            let engine = Engine::new(&cfg).unwrap();
            let module = Module::new(&engine, &wasm).unwrap();
            let mut linker: Linker<wasmtime_wasi::p1::WasiP1Ctx> = Linker::new(&engine);
            wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |c| c).unwrap();
            let mut best = f64::INFINITY;
            for _ in 0..3 {
                let wasi = wasmtime_wasi::WasiCtxBuilder::new().build_p1();
                let mut store = Store::new(&engine, wasi);
                if fuel { store.set_fuel(u64::MAX / 4).unwrap(); }
                if epoch { store.set_epoch_deadline(1 << 40); }
                let t = Instant::now();
                let inst = linker.instantiate(&mut store, &module).unwrap();
                let f = inst.get_typed_func::<(), ()>(&mut store, "_start").unwrap();
                let _ = f.call(&mut store, ());
                best = best.min(t.elapsed().as_secs_f64() * 1000.0);
            }
            row += &format!(" fuel={fuel} epoch={epoch}: {best:.1} ms;");
        }
        println!("{row}");
    }
}
