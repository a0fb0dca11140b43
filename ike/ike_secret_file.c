/* Secret files (private keys, PSK files): refused when the group or others
 * have any access. The check is fstat() on the opened descriptor, the one
 * the caller then reads (no window between checking and reading). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ike/ike_secret_file.h"

enum {
	SECRET_MODE_FORBIDDEN = S_IRWXG | S_IRWXO,   /* 077 */
	SECRET_MODE_PRINT = 07777,
};

static void __attribute__((format(printf, 3, 4)))
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int
check_fd(int fd, const char *path, char *err, size_t errlen)
{
	struct stat st;
	int rc;

	if (fstat(fd, &st) < 0) {
		rc = -errno;
		set_err(err, errlen, "cannot stat secret file '%s': %s", path, strerror(-rc));
		return rc;
	}
	if (!S_ISREG(st.st_mode)) {
		set_err(err, errlen, "secret file '%s' is not a regular file", path);
		return -EINVAL;
	}
	if ((st.st_mode & SECRET_MODE_FORBIDDEN) != 0) {
		set_err(err, errlen, "secret file '%s' is accessible by group or others "
			"(mode %04o): chmod 600 it", path,
			(unsigned int)(st.st_mode & SECRET_MODE_PRINT));
		return -EPERM;
	}
	return 0;
}

int
ike_secret_file_open(const char *path, char *err, size_t errlen)
{
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		rc = -errno;
		set_err(err, errlen, "cannot open secret file '%s': %s", path, strerror(-rc));
		return rc;
	}
	rc = check_fd(fd, path, err, errlen);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	return fd;
}

int
ike_secret_file_check(const char *path, char *err, size_t errlen)
{
	int fd = ike_secret_file_open(path, err, errlen);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}
