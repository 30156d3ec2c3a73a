#!/bin/sh
# The banned functions (git's and curl's lists): unbounded copies,
# unchecked conversions, locale- and thread-unsafe time functions, and
# strtod on money.  Fails listing every use in src/.
pattern='\b(strcpy|strcat|sprintf|vsprintf|strtok|atoi|atol|atof|gets|gmtime|localtime|setlocale)[[:space:]]*\('
if grep -nE "$pattern" src/*/*.c include/*.h; then
	echo "banned functions used (see above)"
	exit 1
fi
echo "no banned functions in src/ and include/"
