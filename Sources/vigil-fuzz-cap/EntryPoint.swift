// The executable's entry point (as in vigil-fuzz-entry, see there and docs/fuzzing.md).
//
// Built normally, it is the corpus replayer and seed maker (Replayer.swift, Seeds.swift).
// Built for fuzzing (`-sanitize=fuzzer -DFUZZING`, see Scripts/fuzz), `--make-seeds DIR` and
// `--make-dict FILE` still work and anything else goes to libFuzzer's driver.
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
        if arguments.count == 3, arguments[1] == "--make-dict" {
            exit(Seeds.dictionary(file: arguments[2]))
        }
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzCAP))
        #else
        Replayer.run()
        #endif
    }
}
