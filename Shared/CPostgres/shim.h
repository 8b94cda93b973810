// libpq, PostgreSQL's own C client (Debian libpq-dev), for the storage kit's PostgreSQL
// backend. libpq rather than a Swift driver: it alone follows a multi-host connection string
// to the host that takes writes (target_session_attrs=read-write), which is how services find
// a new primary after a failover (docs/storage-backends.md).
#include <libpq-fe.h>
