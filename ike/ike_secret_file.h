/* Secret files (private keys, PSK files): refused when the group or others
 * have any access to them, checked with fstat() on the descriptor that is
 * then read, so the file checked is the file read. Issue 4: "secret files
 * refused when readable by others". */
#ifndef IKE_SECRET_FILE_H
#define IKE_SECRET_FILE_H

#include <stddef.h>

/* Open PATH read-only (close-on-exec) and check it: a regular file whose
 * mode has no group/other bits (mode & 077 == 0). Returns the descriptor,
 * or a negative errno with a message naming PATH in ERR:
 *   -EPERM   group/others have access ("chmod 600" advice in ERR)
 *   -EINVAL  not a regular file
 *   other    open()/fstat() failed (errno). */
int ike_secret_file_open(const char *path, char *err, size_t errlen);

/* ike_secret_file_open() without keeping the descriptor: 0 or its errors. */
int ike_secret_file_check(const char *path, char *err, size_t errlen);

#endif /* IKE_SECRET_FILE_H */
