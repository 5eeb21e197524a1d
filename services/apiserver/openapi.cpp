#include "openapi.hpp"
