// zlib for gzip-compressed ingest bodies. zlib's headers are already needed by swift-nio-extras (HTTP compression
// in AsyncHTTPClient), so this adds no new system requirement.
#include <zlib.h>
