/* SPDX-License-Identifier: MIT */
/*
 * banned.h: functions the toolkit never calls, because a safer one does
 * the same (included last, after the system headers): a call of one is a
 * compile error that names it.
 *
 *   strcpy, strcat, strncpy, strncat  snprintf, or memcpy with a length
 *   sprintf, vsprintf                 snprintf, vsnprintf
 *   gets                              getline
 *   strtok                            strtok_r
 *   atoi, atol, atoll                 strtol with its end checked, or dec_prefix()
 *   asctime, ctime, gmtime, localtime their _r forms
 *   tmpnam, tempnam, mktemp           mkstemp
 */
#ifndef CRM_BANNED_H
#define CRM_BANNED_H

#define CRM_BANNED(f) sorry_##f##_is_banned_see_banned_h

#undef strcpy
#define strcpy(...) CRM_BANNED(strcpy)
#undef strcat
#define strcat(...) CRM_BANNED(strcat)
#undef strncpy
#define strncpy(...) CRM_BANNED(strncpy)
#undef strncat
#define strncat(...) CRM_BANNED(strncat)
#undef sprintf
#define sprintf(...) CRM_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) CRM_BANNED(vsprintf)
#undef gets
#define gets(...) CRM_BANNED(gets)
#undef strtok
#define strtok(...) CRM_BANNED(strtok)
#undef atoi
#define atoi(...) CRM_BANNED(atoi)
#undef atol
#define atol(...) CRM_BANNED(atol)
#undef atoll
#define atoll(...) CRM_BANNED(atoll)
#undef asctime
#define asctime(...) CRM_BANNED(asctime)
#undef ctime
#define ctime(...) CRM_BANNED(ctime)
#undef gmtime
#define gmtime(...) CRM_BANNED(gmtime)
#undef localtime
#define localtime(...) CRM_BANNED(localtime)
#undef tmpnam
#define tmpnam(...) CRM_BANNED(tmpnam)
#undef tempnam
#define tempnam(...) CRM_BANNED(tempnam)
#undef mktemp
#define mktemp(...) CRM_BANNED(mktemp)

#endif
