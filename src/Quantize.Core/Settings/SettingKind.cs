namespace Quantize.Core.Settings;

/// <summary>What a setting's value looks like, which decides how it is written on the command line and checked.</summary>
public enum SettingKind
{
    /// <summary><c>true</c> or <c>false</c>; on the command line a flag that may take a value (<c>--speed-check false</c>).</summary>
    Switch,

    /// <summary>A whole number.</summary>
    Integer,

    /// <summary>A finite number.</summary>
    Number,

    /// <summary>One word or value (a name from a fixed set, a size, a path).</summary>
    Text,

    /// <summary>Several values: repeated on the command line, separated in a project file.</summary>
    List,
}

/// <summary>When a setting is used at all, which decides the CLI's "ignored" notes and what goes into a cache key.</summary>
public enum SettingScope
{
    /// <summary>Shapes the quantized model for the precisions the setting names.</summary>
    Model,

    /// <summary>Static INT8 only (INT8 with calibration data).</summary>
    Calibration,

    /// <summary>Turns image and text files into model inputs: calibration and validation data alike.</summary>
    Preprocessing,

    /// <summary>The quality check after quantizing (comparison, speed, gates, mixed precision).</summary>
    Quality,
}
