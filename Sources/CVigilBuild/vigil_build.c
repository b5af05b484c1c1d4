#include "vigil_build.h"

const char *vigil_build_commit(void) {
#ifdef VIGIL_BUILD_COMMIT
    return VIGIL_BUILD_COMMIT;
#else
    return "";
#endif
}
