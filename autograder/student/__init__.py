"""Files shipped to students (copied by ``workbook build``); no hidden check lives here."""
