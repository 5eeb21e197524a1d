#include "schema_validator.hpp"
