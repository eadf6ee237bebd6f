enum _PlaceholderRampartServer {}
