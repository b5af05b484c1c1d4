// The executable's entry point (as in vigil-fuzz-entry, see there and docs/fuzzing.md).
//
// Built normally, it is the corpus replayer and seed maker (Replayer.swift, Seeds.swift).
// Built for fuzzing (`-sanitize=fuzzer -DFUZZING`, see Scripts/fuzz), `--make-seeds DIR` and
// `--make-dict FILE` still work and anything else goes to libFuzzer's driver.
import VigilFuzzSupport

@main
enum EntryPoint {
    static func main() {
        FuzzSupport.main(fuzz: { fuzzCAP($0, $1) }, makeSeeds: Seeds.command(directory:), makeDictionary: Seeds.dictionary(file:), replay: Replayer.run)
    }
}
