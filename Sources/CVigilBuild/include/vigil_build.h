// The commit a release binary was built from, set by Scripts/package with
// -Xcc -DVIGIL_BUILD_COMMIT='"<commit>"'. Empty in a development build.
#ifndef VIGIL_BUILD_H
#define VIGIL_BUILD_H
const char *vigil_build_commit(void);
#endif
