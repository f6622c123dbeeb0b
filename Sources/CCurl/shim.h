// Typed wrappers around libcurl's variadic entry points.
//
// Swift cannot call C variadic functions, and curl's type-checking macros are inactive under
// clang, so each wrapper fixes the argument type of one family of options. These types are the
// only check that an option gets the argument curl expects: keep one wrapper per type.
#ifndef BGXFER_CCURL_SHIM_H
#define BGXFER_CCURL_SHIM_H

#include <curl/curl.h>

static inline CURLcode bgx_curl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode bgx_curl_easy_setopt_off(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode bgx_curl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode bgx_curl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode bgx_curl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

typedef size_t (*bgx_curl_data_callback)(char *buffer, size_t size, size_t count, void *userdata);

/// CURLOPT_WRITEFUNCTION, CURLOPT_HEADERFUNCTION and CURLOPT_READFUNCTION share this shape.
static inline CURLcode bgx_curl_easy_setopt_data_callback(
    CURL *handle, CURLoption option, bgx_curl_data_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

typedef int (*bgx_curl_seek_callback)(void *userdata, curl_off_t offset, int origin);

/// CURLOPT_SEEKFUNCTION: how curl moves in an upload's source (FTP upload resume).
static inline CURLcode bgx_curl_easy_setopt_seek_callback(
    CURL *handle, CURLoption option, bgx_curl_seek_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

static inline CURLcode bgx_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode bgx_curl_easy_getinfo_off(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode bgx_curl_easy_getinfo_string(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode bgx_curl_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLMcode bgx_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

#endif
