#!/usr/bin/env python
from fabrique.manage import main

if __name__ == "__main__":
    main()
