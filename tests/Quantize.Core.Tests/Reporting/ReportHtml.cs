using System.Xml;
using System.Xml.Linq;

namespace Quantize.Core.Tests.Reporting;

/// <summary>Reads the report page with an XML parser (it is written as well-formed markup), so tests check its structure, not its text.</summary>
internal static class ReportHtml
{
    public static XDocument Parse(string html)
    {
        using var reader = XmlReader.Create(new StringReader(html), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore });
        return XDocument.Load(reader);
    }

    public static IEnumerable<XElement> Named(this XContainer root, string name) => root.Descendants().Where(e => e.Name.LocalName == name);

    public static XElement Section(this XDocument page, string id) =>
        page.Named("section").Single(s => (string?)s.Attribute("id") == id);

    public static IEnumerable<XElement> LayerBars(this XContainer root) =>
        root.Named("rect").Where(r => ((string?)r.Attribute("class") ?? "").Split(' ').Contains("layer-bar"));

    /// <summary>The text of each row's cells (th and td), body rows only.</summary>
    public static List<List<string>> BodyRows(this XElement table) =>
        [.. table.Named("tbody").Single().Elements().Select(row => row.Elements().Select(c => c.Value).ToList())];

    public static List<List<string>> BodyRowsOfOnlyTable(this XElement section) => section.Named("table").Single().BodyRows();
}
