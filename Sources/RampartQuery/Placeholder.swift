enum _PlaceholderRampartQuery {}
