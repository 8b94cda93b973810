#ifndef DVC_CFILESYNC_H
#define DVC_CFILESYNC_H

/// Flushes every written byte and metadata change of the file system holding `fd` to stable
/// storage (Linux syncfs(2), which Swift's Glibc module does not export); elsewhere sync(2).
/// Returns 0, or -1 with errno set.
int dvc_syncfs(int fd);

#endif
