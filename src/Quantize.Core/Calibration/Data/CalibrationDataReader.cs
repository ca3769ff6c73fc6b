using System.IO.Compression;
using Quantize.Core.Diagnostics;

namespace Quantize.Core.Calibration.Data;

/// <summary>
/// Produces validated model input feeds from calibration files one sample at a time, in sorted path order,
/// so memory holds one sample however large the set is. Each kind of file is read by extension: .npy, .npz,
/// ONNX test-data .pb folders, .png/.jpg images and .txt lines.
/// </summary>
public sealed class CalibrationDataReader
{
    private readonly IReadOnlyList<ModelInput> _inputs;
    private readonly CalibrationDataOptions _options;
    private ImageSampleReader? _images;
    private TextSampleReader? _text;

    /// <summary>Creates a reader for the inputs of <paramref name="model"/>.</summary>
    public CalibrationDataReader(Onnx.ModelProto model, CalibrationDataOptions options)
        : this(ModelInput.Of(model), options)
    {
    }

    /// <summary>Creates a reader for <paramref name="inputs"/> (read from a model once, shared by several readers).</summary>
    internal CalibrationDataReader(IReadOnlyList<ModelInput> inputs, CalibrationDataOptions options)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(options);
        _inputs = inputs;
        _options = options;
        if (options.MaxSamples is <= 0)
        {
            throw new QuantizeException(ErrorCodes.InvalidOption, string.Join(";", options.Sources), "The calibration sample count must be positive.");
        }

        if (options.Split is { Every: < 2 } split)
        {
            throw new QuantizeException(ErrorCodes.InvalidOption, string.Join(";", options.Sources), $"A sample split needs at least 2 samples per group, not {split.Every}.");
        }
    }

    /// <summary>The model inputs every sample feeds.</summary>
    public IReadOnlyList<ModelInput> Inputs => _inputs;

    /// <summary>
    /// Reads the samples lazily (enumerate once). Throws QNT0014 when the sources hold no sample (or none in
    /// the <see cref="CalibrationDataOptions.Split"/> part), QNT0015/16 for a sample that does not fit the
    /// model, QNT0017 for a file that cannot be read. Samples outside the split part are still read and
    /// validated, so both parts of one data set fail alike on a bad file.
    /// </summary>
    public IEnumerable<CalibrationSample> Read()
    {
        var files = CalibrationFiles.Resolve(_options.Sources, _options.BaseDirectory);
        int count = 0;
        foreach (var (sample, position) in Validated(files))
        {
            if (_options.Split?.Includes(position) ?? true)
            {
                count++;
                yield return sample;
            }
        }

        if (count == 0)
        {
            throw new QuantizeException(ErrorCodes.CalibrationDataEmpty, string.Join(";", _options.Sources),
                $"The calibration data ({string.Join(", ", files)}) holds no sample{(_options.Split is null ? "" : " in its " + (_options.Split.Part == SplitPart.HeldOut ? "held-out" : "calibration") + " part")}.");
        }
    }

    /// <summary>Every sample in reading order, validated, with its position; stops after <see cref="CalibrationDataOptions.MaxSamples"/>.</summary>
    private IEnumerable<(CalibrationSample Sample, int Position)> Validated(IReadOnlyList<string> files)
    {
        int position = 0;
        foreach (var unit in Units(files))
        {
            foreach (var sample in ReadUnit(unit))
            {
                SampleValidator.Validate(sample, _inputs);
                yield return (sample, position);
                if (++position == _options.MaxSamples)
                {
                    yield break;
                }
            }
        }
    }

    /// <summary>Files grouped into reading units: one per file, except .pb files, grouped by folder (the folder is the sample).</summary>
    private static IEnumerable<(string Key, string[] Files)> Units(IReadOnlyList<string> files)
    {
        var units = files.Where(f => !IsPb(f)).Select(f => (Key: f, Files: new[] { f })).ToList();
        foreach (var folder in files.Where(IsPb).GroupBy(f => Path.GetDirectoryName(f)!, StringComparer.Ordinal))
        {
            // ONNX test data keeps output_K.pb beside input_K.pb: only the inputs feed the model.
            var pb = folder.Any(f => TensorFileReader.PbIndex(f) is not null)
                ? folder.Where(f => TensorFileReader.PbIndex(f) is not null).OrderBy(f => TensorFileReader.PbIndex(f)).ToArray()
                : [.. folder];
            units.Add((folder.Key + Path.DirectorySeparatorChar, pb));
        }

        return units.OrderBy(u => u.Key, StringComparer.Ordinal);
    }

    private static bool IsPb(string file) => Path.GetExtension(file).Equals(".pb", StringComparison.OrdinalIgnoreCase);

    private IEnumerable<CalibrationSample> ReadUnit((string Key, string[] Files) unit)
    {
        var extension = Path.GetExtension(unit.Files[0]).ToLowerInvariant();
        if (extension == ".txt")
        {
            _text ??= new TextSampleReader(_inputs, _options.Text, unit.Files[0]);
            return Guarded(unit.Files[0], _text.Read(unit.Files[0]));
        }

        var inputs = Guarded(unit.Files[0], () => extension switch
        {
            ".npy" => TensorFileReader.ReadNpy(unit.Files[0], _inputs),
            ".npz" => TensorFileReader.ReadNpz(unit.Files[0]),
            ".pb" => TensorFileReader.ReadPbFolder(unit.Files, _inputs),
            ".png" or ".jpg" or ".jpeg" => (_images ??= new ImageSampleReader(_inputs, _options.Image, unit.Files[0])).Read(unit.Files[0]),
            _ => throw new FormatException($"'{unit.Files[0]}' is not a calibration format ({string.Join(", ", CalibrationFiles.Extensions.Order(StringComparer.Ordinal))})."),
        });
        return [new CalibrationSample(unit.Key, inputs)];
    }

    /// <summary>Turns the ways a file can be unreadable into one error that names the file.</summary>
    private static T Guarded<T>(string file, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or InvalidDataException or OverflowException or ArgumentException)
        {
            throw Unreadable(file, ex);
        }
    }

    private static IEnumerable<CalibrationSample> Guarded(string file, IEnumerable<CalibrationSample> samples)
    {
        using var enumerator = Guarded(file, samples.GetEnumerator);
        while (Guarded(file, enumerator.MoveNext))
        {
            yield return enumerator.Current;
        }
    }

    private static QuantizeException Unreadable(string file, Exception ex) =>
        new(ErrorCodes.CalibrationFileUnreadable, file, ex is FormatException ? ex.Message : $"Calibration file '{file}' cannot be read: {ex.Message}", ex);
}
