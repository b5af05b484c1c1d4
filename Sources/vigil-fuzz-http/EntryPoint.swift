// The executable's entry point (as in vigil-fuzz-entry, see there and docs/fuzzing.md).
//
// Built normally, it is the corpus replayer and seed maker (Replayer.swift, Seeds.swift).
// Built for fuzzing (`-sanitize=fuzzer -DFUZZING`, see Scripts/fuzz), `--make-seeds DIR` and
// `--make-dict FILE` still work and anything else goes to libFuzzer's driver.
#if canImport(Glibc)
import Glibc
#endif

import VigilFuzzSupport

@main
enum EntryPoint {
    static func main() {
        #if FUZZING
        let arguments = CommandLine.arguments
        if arguments.count == 3, arguments[1] == "--make-seeds" {
            exit(Seeds.command(directory: arguments[2]))
        }
        if arguments.count == 3, arguments[1] == "--make-dict" {
            exit(Seeds.dictionary(file: arguments[2]))
        }
        FuzzSupport.runDriver(fuzzHTTP)
        #else
        Replayer.run()
        #endif
    }
}
