#include "dockerfile/dockerfile.h"
