/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * errno values by name.
 */
#ifndef DU_ERRNAME_H
#define DU_ERRNAME_H

/*
 * The symbolic name of an errno value ("ENODEV"); err may be negative (a
 * -errno return).  Values without a name in this table give "E<number>"
 * in a static buffer, overwritten by the next such call.  Never NULL.
 */
const char *du_errno_name(int err);

#endif /* DU_ERRNAME_H */
