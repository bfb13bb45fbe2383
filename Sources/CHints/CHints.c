// CHints is header-only (include/CHints.h); a C target needs one source file.
#include "CHints.h"
