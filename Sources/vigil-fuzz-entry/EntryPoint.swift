// The executable's entry point.
//
// Built normally, it is the corpus replayer and seed maker (Replayer.swift, Seeds.swift).
//
// Built for fuzzing (`-sanitize=fuzzer -DFUZZING`, see Scripts/fuzz), `--make-seeds DIR` still writes
// the seeds and anything else goes to libFuzzer's driver, with `LLVMFuzzerTestOneInput` as the callback
// (why the driver and not libFuzzer's own `main`: Sources/VigilFuzzSupport/FuzzSupport.swift).
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
        FuzzSupport.runDriver(fuzzEntry)
        #else
        Replayer.run()
        #endif
    }
}
