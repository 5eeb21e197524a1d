#include "credentials.hpp"
