// The `vigil` command. All logic lives in the types of this module; keep state out of this file.
#if canImport(Glibc)
import Glibc
#endif

// A parent (a test runner, a service manager) may have blocked signals; `vigil follow` and the
// client commands rely on the default actions of SIGTERM and SIGINT, and `vigil run` on receiving them.
var unblocked = sigset_t()
sigemptyset(&unblocked)
sigprocmask(SIG_SETMASK, &unblocked, nil)
exit(CommandLineTool.run(Array(CommandLine.arguments.dropFirst())))
