#ifndef LABELASSIGN_CBLAS_SHIM_H
#define LABELASSIGN_CBLAS_SHIM_H
#include <cblas.h>
#endif
