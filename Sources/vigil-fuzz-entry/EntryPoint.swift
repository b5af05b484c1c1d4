// The executable's entry point.
//
// Built normally, it is the corpus replayer and seed maker (Replayer.swift, Seeds.swift).
//
// Built for fuzzing (`-sanitize=fuzzer -DFUZZING`, see Scripts/fuzz), `--make-seeds DIR` still writes
// the seeds and anything else goes to libFuzzer's driver, with `LLVMFuzzerTestOneInput` as the callback.
// libFuzzer's own `main` cannot be used: SwiftPM links every Swift executable with
// `--defsym main=<module>_main`, so the Swift entry point must exist and call `LLVMFuzzerRunDriver`
// (a C function of the libFuzzer runtime, declared with `@_extern(c)`, which needs
// `-enable-experimental-feature Extern` in that build only).
#if canImport(Glibc)
import Glibc
#endif

#if FUZZING
@_extern(c, "LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt
#endif

@main
enum EntryPoint {
    static func main() {
        #if FUZZING
        let arguments = CommandLine.arguments
        if arguments.count == 3, arguments[1] == "--make-seeds" {
            exit(Seeds.command(directory: arguments[2]))
        }
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzEntry))
        #else
        Replayer.run()
        #endif
    }
}
