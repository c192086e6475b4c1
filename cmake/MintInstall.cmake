# Installation: header, libraries, CMake package (find_package(mint) -> mint::mint) and mint.pc.
include(GNUInstallDirs)
install(FILES ${PROJECT_SOURCE_DIR}/include/mint/mint.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/mint)
