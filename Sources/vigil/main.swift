// The `vigil` command. All logic lives in the types of this module; keep state out of this file.
#if canImport(Glibc)
import Glibc
#endif

exit(CommandLineTool.run(Array(CommandLine.arguments.dropFirst())))
