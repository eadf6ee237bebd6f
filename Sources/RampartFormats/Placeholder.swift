enum _PlaceholderRampartFormats {}
