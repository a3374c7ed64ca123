#!/usr/bin/env python3
"""OpenCV's cv2.inpaint on an image and mask (PNG files): the oracle for toonbox's
built-in telea and ns methods (tests/unit/inpaint_classical_test.cc).

usage: cv2_inpaint.py IMAGE.png MASK.png telea|ns RADIUS OUT.png
The mask's non-zero pixels are inpainted (as cv2.inpaint reads it)."""
import sys

import cv2

image = cv2.imread(sys.argv[1], cv2.IMREAD_COLOR)
mask = cv2.imread(sys.argv[2], cv2.IMREAD_GRAYSCALE)
flag = cv2.INPAINT_TELEA if sys.argv[3] == "telea" else cv2.INPAINT_NS
cv2.imwrite(sys.argv[5], cv2.inpaint(image, mask, int(sys.argv[4]), flag))
