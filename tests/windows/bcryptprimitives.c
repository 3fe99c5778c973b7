/* ProcessPrng, which Rust's standard library imports from bcryptprimitives.dll on Windows,
 * for Wine 8 (Debian 12), which lacks it; Wine 9 and every supported Windows have it. Only
 * the Wine test of the Windows build loads this, from beside the executable. It is
 * RtlGenRandom (SystemFunction036) in chunks, as Wine 9 implements it. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk)) {
            return FALSE;
        }
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
