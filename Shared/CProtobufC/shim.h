// The protobuf-c runtime (Debian libprotobuf-c-dev), for the one Swift module that uses it.
#include <protobuf-c/protobuf-c.h>
