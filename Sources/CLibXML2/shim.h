#ifndef FERRY_CLIBXML2_SHIM_H
#define FERRY_CLIBXML2_SHIM_H
#include <libxml/xmlversion.h>
/* Debian's libxml2 is built with ICU, whose headers clash with the ICU copy inside Foundation
   (UErrorCode defined twice). Ferry never touches xmlCharEncodingHandler's ICU fields, which are
   the only declarations this switch changes, so the ICU headers are left out. */
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlwriter.h>
#include <libxml/xmlerror.h>
#include <libxml/SAX2.h>

/* libxml2's generic error function is variadic, which Swift cannot define: this one drops everything. */
static void ferry_xml_silent(void *context, const char *message, ...) { (void)context; (void)message; }

static inline void ferry_xml_silence_generic_errors(void) {
    xmlSetGenericErrorFunc(NULL, ferry_xml_silent);
}
#endif
