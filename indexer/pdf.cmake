# The PDF reader (pdf.c, pdflayout.c; see pdf.h), kept apart from the
# indexer's own list.  Debian ships MuPDF as a static library whose .pc
# names its third-party libraries only as private ones, hence the static
# flags.
pkg_check_modules(MUPDF REQUIRED mupdf)
target_sources(nb_indexer PRIVATE pdf.c pdflayout.c)
target_include_directories(nb_indexer SYSTEM PRIVATE ${MUPDF_INCLUDE_DIRS})
target_link_libraries(nb_indexer PRIVATE ${MUPDF_STATIC_LDFLAGS} m)
