// What the fuzz targets share: the entry point's hand-over to libFuzzer's driver (or to the replayer)
// and the replayer's file handling. Each target keeps its own `@main` (a library cannot hold
// one) and its `@_cdecl("LLVMFuzzerTestOneInput")` callback (one per binary). Scripts/fuzz builds the
// targets with `-Xswiftc` flags, which reach this module too, so `FUZZING` is set here as there.
import Foundation

#if FUZZING
// libFuzzer's own `main` cannot be used: SwiftPM links every Swift executable with
// `--defsym main=<module>_main`, so the Swift entry point must exist and call `LLVMFuzzerRunDriver`
// (a C function of the libFuzzer runtime, declared with `@_extern(c)`, which needs
// `-enable-experimental-feature Extern` in that build only).
@_extern(c, "LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt
#endif

/// Helpers for the fuzz targets' entry points and replayers.
public enum FuzzSupport {
    #if FUZZING
    /// Hands the command line to libFuzzer's driver with `callback` as the test function; exits with its status.
    public static func runDriver(_ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, callback))
    }
    #endif

    /// A fuzz target's whole entry point. Built for fuzzing: `--make-seeds DIR` and `--make-dict FILE`
    /// (when the target has a dictionary) write the corpus seeds and the dictionary; anything else goes to
    /// libFuzzer's driver with `fuzz` as the test function. Built normally: the corpus replayer.
    public static func main(fuzz: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt,
                            makeSeeds: (String) -> Int32, makeDictionary: ((String) -> Int32)? = nil,
                            replay: () -> Never) -> Never {
        #if FUZZING
        let arguments = CommandLine.arguments
        if arguments.count == 3, arguments[1] == "--make-seeds" { exit(makeSeeds(arguments[2])) }
        if arguments.count == 3, arguments[1] == "--make-dict", let makeDictionary { exit(makeDictionary(arguments[2])) }
        runDriver(fuzz)
        #else
        replay()
        #endif
    }

    /// The files to replay: each path named, or the regular files inside a directory named (sorted).
    /// A path that does not exist stops the tool (exit 2).
    public static func inputFiles(_ paths: [String], tool: String) -> [String] {
        var files: [String] = []
        let fm = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else { fail("\(tool): no such file: \(path)") }
            if isDirectory.boolValue {
                let names = ((try? fm.contentsOfDirectory(atPath: path)) ?? []).sorted()
                files += names.map { (path as NSString).appendingPathComponent($0) }
                    .filter { var d: ObjCBool = false; return fm.fileExists(atPath: $0, isDirectory: &d) && !d.boolValue }
            } else {
                files.append(path)
            }
        }
        return files
    }

    /// Writes `message` to standard error and exits with status 2 (usage or I/O error).
    public static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(2)
    }
}
