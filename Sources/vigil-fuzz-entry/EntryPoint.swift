// The executable's entry point.
//
// Built normally, it is the corpus replayer and seed maker (Replayer.swift, Seeds.swift).
//
// Built for fuzzing (`-sanitize=fuzzer -DFUZZING`, see Scripts/fuzz), `--make-seeds DIR` still writes
// the seeds and anything else goes to libFuzzer's driver, with `LLVMFuzzerTestOneInput` as the callback
// (why the driver and not libFuzzer's own `main`: Sources/VigilFuzzSupport/FuzzSupport.swift).
import VigilFuzzSupport

@main
enum EntryPoint {
    static func main() {
        FuzzSupport.main(fuzz: { fuzzEntry($0, $1) }, makeSeeds: Seeds.command(directory:), replay: Replayer.run)
    }
}
