"""Words that a generated identifier must not be, in C and in C++.

An event id is a union member (`ev.u.<id>`) and a field's C name a struct
member (`v.<c_name>`): each is an identifier on its own, so it must be no
keyword of C (C11 to C23, plus GNU's) or of C++ (C++11 to C++20, alternative
tokens included), since the generated headers are read by both. The prefix
(`--prefix`) is refused for the same words.
"""

C_KEYWORDS = frozenset("""
auto break case char const continue default do double else enum extern float
for goto if inline int long register restrict return short signed sizeof static
struct switch typedef union unsigned void volatile while _Alignas _Alignof
_Atomic _Bool _Complex _Generic _Imaginary _Noreturn _Static_assert
_Thread_local bool true false NULL asm typeof alignas alignof static_assert
thread_local constexpr nullptr typeof_unqual
""".split())

# C++11 to C++20 keywords that C lacks (C++23 added none), and the
# alternative tokens, which are keywords in C++ (and iso646.h macros in C).
CXX_KEYWORDS = frozenset("""
catch char8_t char16_t char32_t class concept consteval constinit const_cast
co_await co_return co_yield decltype delete dynamic_cast explicit export friend
mutable namespace new noexcept operator private protected public
reinterpret_cast requires static_cast template this throw try typeid typename
using virtual wchar_t
and and_eq bitand bitor compl not not_eq or or_eq xor xor_eq
""".split())

# Lower-case macros that would replace a struct or union member of the same
# name: predefined by GCC and Clang outside strict ISO mode (gnu11, the
# compilers' default), or defined by a standard header a user may include
# before the generated header (errno.h, complex.h, stdnoreturn.h).
C_MACROS = frozenset("""
linux unix i386 errno complex imaginary noreturn
""".split())


def keyword_kind(word):
    """'C' or 'C++' when `word` is a keyword of that language, else None."""
    if word in C_KEYWORDS:
        return "C"
    if word in CXX_KEYWORDS:
        return "C++"
    return None
